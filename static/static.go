// Package static holds the stylesheet, script and icon of every Amends page,
// embedded in the binary. The server serves FS under /static/ with long cache
// headers; pages link to the files with URL, whose query string changes
// whenever a file's bytes do.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS holds the asset files at its root: amends.css, amends.js, favicon.svg.
//
//go:embed amends.css amends.js favicon.svg
var FS embed.FS

// versions maps each asset's name to the first 10 hex digits of the SHA-256
// of its bytes. It is computed once, at init, and never changes after.
var versions = hashAll(FS)

func hashAll(fsys fs.FS) map[string]string {
	out := make(map[string]string)
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		panic("static: " + err.Error())
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			panic("static: " + err.Error())
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:])[:10]
	}
	return out
}

// URL returns the path at which the server serves the named asset, with a
// version that changes with its content: "/static/amends.css?v=1a2b3c4d5e".
// A name that is not an embedded asset gets its path without a version.
func URL(name string) string {
	v, ok := versions[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + v
}

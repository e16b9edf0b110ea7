//go:build !linux || !(amd64 || arm64)

package prefault

// withHugePages runs touch: huge pages are asked for on Linux on amd64
// and arm64 only.
func withHugePages(b []byte, touch func()) { touch() }

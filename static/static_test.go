package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	re := regexp.MustCompile(`^/static/([a-z.]+)\?v=([0-9a-f]{10})$`)
	for _, name := range []string{"amends.css", "amends.js", "favicon.svg"} {
		u := URL(name)
		m := re.FindStringSubmatch(u)
		if m == nil || m[1] != name {
			t.Errorf("URL(%q) = %q, want /static/%s?v=<10 hex>", name, u, name)
			continue
		}
		b, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatalf("%s is not embedded: %v", name, err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
		sum := sha256.Sum256(b)
		if want := hex.EncodeToString(sum[:])[:10]; m[2] != want {
			t.Errorf("URL(%q) version %s, want %s", name, m[2], want)
		}
		if URL(name) != u {
			t.Errorf("URL(%q) is not stable", name)
		}
	}
	if u := URL("missing.css"); strings.Contains(u, "?v=") {
		t.Errorf("URL of a missing file = %q, want no version", u)
	}
}

// TestCSSRules guards the parts of the stylesheet the product promises.
func TestCSSRules(t *testing.T) {
	b, err := fs.ReadFile(FS, "amends.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	for _, want := range []string{
		"@media (prefers-color-scheme: dark)",
		"@media print",
		":focus-visible",
		".overall--operational",
		".overall--degraded_performance",
		".overall--partial_outage",
		".overall--major_outage",
		".overall--under_maintenance",
	} {
		if !strings.Contains(css, want) {
			t.Errorf("amends.css has no %q", want)
		}
	}
	if strings.Contains(css, "@import") || strings.Contains(css, "url(http") {
		t.Error("amends.css loads something from elsewhere")
	}
}

// TestCSSBlocksClosed fails on a rule left open (as a merge can leave
// one): the stylesheet uses no nesting, so a block may open only at the
// top level or directly inside an at-rule, and every block closes.
func TestCSSBlocksClosed(t *testing.T) {
	b, err := fs.ReadFile(FS, "amends.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	var stack []bool // true: an at-rule's block
	line, start := 1, 0
	for i := 0; i < len(css); i++ {
		switch c := css[i]; {
		case c == '\n':
			line++
		case c == '/' && strings.HasPrefix(css[i:], "/*"):
			end := strings.Index(css[i+2:], "*/")
			if end < 0 {
				t.Fatalf("amends.css:%d: comment never closed", line)
			}
			line += strings.Count(css[i:i+2+end], "\n")
			i += end + 3
			start = i + 1
		case c == '{':
			if n := len(stack); n > 0 && !stack[n-1] {
				t.Fatalf("amends.css:%d: a block opens inside a rule; the rule above it is not closed", line)
			}
			stack = append(stack, strings.HasPrefix(strings.TrimSpace(css[start:i]), "@"))
			start = i + 1
		case c == '}':
			if len(stack) == 0 {
				t.Fatalf("amends.css:%d: } closes nothing", line)
			}
			stack = stack[:len(stack)-1]
			start = i + 1
		case c == ';':
			start = i + 1
		}
	}
	if len(stack) > 0 {
		t.Fatalf("amends.css: %d blocks never closed", len(stack))
	}
}

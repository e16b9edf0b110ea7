package richtext

import "testing"

func TestBodies(t *testing.T) {
	cases := []struct {
		body       string
		isHTML     bool
		html, text string
	}{
		{"Plain text: a < b & c > d.", false, "", "Plain text: a < b & c > d."},
		{`See <a href="https://x.example/">this</a>.<br>Thanks`, true, `See <a href="https://x.example/" rel="nofollow">this</a>.<br>Thanks`, "See this. Thanks"},
		{"<ul><li>one</li><li>two</li></ul><script>alert(1)</script>", true, "<ul><li>one</li><li>two</li></ul>", "one two"},
		{`<a href="javascript:alert(1)" onclick="x()">x</a> &amp; more`, true, "x &amp; more", "x & more"},
	}
	for _, c := range cases {
		if got := IsHTML(c.body); got != c.isHTML {
			t.Errorf("IsHTML(%q) = %v", c.body, got)
		}
		if c.isHTML {
			if got := HTML(c.body); got != c.html {
				t.Errorf("HTML(%q) = %q, want %q", c.body, got, c.html)
			}
		}
		if got := Text(c.body); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.body, got, c.text)
		}
	}
}

package web

import (
	"strings"
	"testing"
)

func TestMarkdownRemovesScript(t *testing.T) {
	m := newMarkdown()
	for _, tc := range []struct {
		name, src string
		banned    []string
	}{
		{"script tag", "Hello <script>alert(1)</script> world", []string{"<script"}},
		{"script block", "<script>\nalert(1)\n</script>\n", []string{"<script", "alert(1)"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"javascript:"}},
		{"entity-encoded javascript link", "[click](&#106;avascript:alert(1))", []string{"javascript:", "href"}},
		{"javascript link, mixed case", "[click](JaVaScRiPt:alert(1))", []string{"javascript:", "JaVaScRiPt"}},
		{"javascript autolink", "<javascript:alert(1)>", []string{"href"}},
		{"javascript reference link", "[x][r]\n\n[r]: javascript:alert(1)", []string{"javascript:"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:"}},
		{"onerror image", `<img src="x" onerror="alert(1)">`, []string{"onerror", "alert(1)"}},
		{"onerror in markdown image", `![x](/a.png"onerror="alert(1))`, []string{" onerror="}},
		{"iframe", `<iframe src="https://example.com"></iframe>`, []string{"<iframe"}},
		{"inline handler", `<a href="/x" onclick="alert(1)">x</a>`, []string{"onclick"}},
		{"style tag", "<style>body{display:none}</style>", []string{"<style"}},
		{"svg", `<svg onload="alert(1)"></svg>`, []string{"<svg", "onload"}},
	} {
		out, err := m.render(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, b := range tc.banned {
			if strings.Contains(strings.ToLower(out), strings.ToLower(b)) {
				t.Errorf("%s: %q survived in %q", tc.name, b, out)
			}
		}
	}
}

func TestMarkdownKeepsStructure(t *testing.T) {
	m := newMarkdown()
	src := "# Title\n\n## What happened\n\n- one\n- two\n\n1. first\n2. second\n\n" +
		"| Component | Peak |\n|:---|---:|\n| ELB | 6.8% |\n\n" +
		"**bold** and _em_ and ~~gone~~ and `code`\n\n> quoted\n\n" +
		"See [the report](https://example.com/report) or https://example.com/auto.\n\n- [x] done\n"
	out, err := m.render(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<h2>Title</h2>", "<h3>What happened</h3>", // shifted: the page's h1 is the title
		"<ul>", "<li>one</li>", "<ol>", "<li>first</li>",
		"<table>", `<th class="align-left">Component</th>`, `<td class="align-right">6.8%</td>`,
		"<strong>bold</strong>", "<em>em</em>", "<del>gone</del>", "<code>code</code>", "<blockquote>",
		`<a href="https://example.com/report" rel="nofollow noopener">the report</a>`,
		`<a href="https://example.com/auto" rel="nofollow noopener">https://example.com/auto</a>`,
		`type="checkbox"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	// Without an h1 the headings stay where they are.
	out, _ = m.render("## What happened\n\n### Detail\n")
	if !strings.Contains(out, "<h2>What happened</h2>") || !strings.Contains(out, "<h3>Detail</h3>") {
		t.Errorf("headings moved: %s", out)
	}
}

package web

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/amends/amends/web/richtext"
)

// markdown turns an explanation's Markdown into HTML that is safe to put in
// a page. goldmark renders GitHub-flavoured Markdown (tables, strikethrough,
// task lists, autolinks) without passing raw HTML through; bluemonday's UGC
// policy then removes anything that could still run script or load a frame
// (script, iframe, event handlers, javascript: and data: links), whatever
// the Markdown held. Headings are shifted so that the body's top level is
// h2 (the page's h1 is the title), table cells keep their alignment as a
// class (align-left, align-center, align-right: the align attribute is
// obsolete HTML and inline styles are refused by the page's CSP), and every
// link gets rel="nofollow noopener".
type markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// explanationMarkdown renders every explanation. It is built once and never
// changed; goldmark and bluemonday are safe for concurrent use.
var explanationMarkdown = newMarkdown()

func newMarkdown() *markdown {
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
			extension.Strikethrough,
			extension.TaskList,
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(explanationTransformer{}, 100))),
	)
	p := richtext.Policy()
	return &markdown{md: md, policy: p}
}

// render returns the sanitized HTML of src.
func (m *markdown) render(src string) (string, error) {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return m.policy.SanitizeReader(&buf).String(), nil
}

// explanationTransformer shifts headings so the shallowest becomes h2,
// marks every link nofollow noopener, and gives aligned table cells their
// alignment class.
type explanationTransformer struct{}

func (explanationTransformer) Transform(doc *ast.Document, _ gmtext.Reader, _ parser.Context) {
	shallowest := 7
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level < shallowest {
			shallowest = h.Level
		}
		return ast.WalkContinue, nil
	})
	shift := 0
	if shallowest < 2 {
		shift = 2 - shallowest
	}
	rel := []byte("nofollow noopener")
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+shift, 6)
		case *ast.Link, *ast.AutoLink:
			n.SetAttributeString("rel", rel)
		case *east.TableCell:
			if n.Alignment != east.AlignNone {
				n.SetAttributeString("class", []byte("align-"+n.Alignment.String()))
			}
		}
		return ast.WalkContinue, nil
	})
}

// noticeMarkdown renders personal notices as explanations are rendered:
// no raw HTML, sanitized, links nofollow.
var noticeMarkdown = explanationMarkdown

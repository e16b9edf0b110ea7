package web

import (
	"bufio"
	"io"
	"strings"
)

// The CSV exports (a run's lines, the ledger, the dashboard's and the SLA
// report's tables) go to spreadsheets, which run a cell that starts with a
// formula character. Text that people or the data wrote (names, reasons,
// labels, who did it) goes through csvText; numbers, amounts included, and
// what the program writes (ids, instants, codes) are written as they are,
// so a negative adjustment stays a number.

// csvFormulaStart is what a spreadsheet may take as the start of a formula
// (OWASP, CSV injection): =, +, -, @, a tab or a carriage return.
const csvFormulaStart = "=+-@\t\r"

// csvText returns s as a cell that a spreadsheet shows as text: with a
// leading single quote when it starts with a formula character, as OWASP's
// CSV injection guidance says; otherwise unchanged.
func csvText(s string) string {
	if s != "" && strings.IndexByte(csvFormulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// csvWriter writes CSV as encoding/csv reads it (RFC 4180, "\n" line ends),
// quoting a field that holds a comma, a double quote (doubled inside), a
// line break or a semicolon, or starts with a space or tab. The semicolon
// is quoted too because spreadsheets in many locales split a CSV file's
// lines on it, and an unquoted "x;=cmd" would start a new cell with a
// formula.
type csvWriter struct{ w *bufio.Writer }

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: bufio.NewWriter(w)} }

// Write writes one record. A failed write makes every later one a no-op
// (bufio keeps the error), and Flush returns it.
func (c *csvWriter) Write(record []string) {
	for i, f := range record {
		if i > 0 {
			c.w.WriteByte(',')
		}
		if !csvNeedsQuotes(f) {
			c.w.WriteString(f)
			continue
		}
		c.w.WriteByte('"')
		c.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		c.w.WriteByte('"')
	}
	c.w.WriteByte('\n')
}

// Flush writes what is buffered and returns the first error.
func (c *csvWriter) Flush() error { return c.w.Flush() }

func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	return strings.ContainsAny(f, ",\";\r\n") || f[0] == ' ' || f[0] == '\t'
}

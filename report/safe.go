package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// SafeCell neutralises a spreadsheet cell per OWASP's CSV-injection rule:
// a cell starting with '=', '+', '-', '@', tab or carriage return, which
// Excel or LibreOffice would run as a formula, gets a single quote in
// front; the rest of the cell is kept as it was. Every CSV the project
// writes goes through it (see CSVWriter).
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVWriter is a csv.Writer that passes every cell through SafeCell.
// Use it for every CSV meant for people; there is no way around it.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter returns a CSVWriter on w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one row, each cell made safe by SafeCell.
func (c *CSVWriter) Write(row []string) error {
	safe := make([]string, len(row))
	for i, s := range row {
		safe[i] = SafeCell(s)
	}
	return c.w.Write(safe)
}

// Flush writes buffered rows out.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error reports an error of an earlier Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }

// PhoneCell is how a phone number (E.164) is written in a CSV: a
// Vietnamese number (+84) the way an office writes it, in national form
// grouped with spaces ("+84912345678" → "0912 345 678"), so Excel shows it
// as text, keeps its leading zero and does not take the "+" for a formula;
// the roster import reads it back to the same number. Any other number
// keeps E.164 and so gets SafeCell's quote ("'+12025550123").
func PhoneCell(e164 string) string {
	rest, ok := strings.CutPrefix(e164, "+84")
	if !ok || strings.Trim(rest, "0123456789") != "" {
		return e164
	}
	n := "0" + rest
	switch len(n) {
	case 10: // mobile: 0912 345 678
		return n[:4] + " " + n[4:7] + " " + n[7:]
	case 11: // landline: 028 3823 4567
		return n[:3] + " " + n[3:7] + " " + n[7:]
	}
	return e164
}

// mdEscaper backslash-escapes every character that means something in
// (CommonMark or GitHub) Markdown inline or table text.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`#`, `\#`, `|`, `\|`, `~`, `\~`, `&`, `\&`, `!`, `\!`,
)

// md makes text a person typed (a name, a reason, an answer, a unit, a
// title) safe inside one line of the Markdown report: it flattens it to
// one line (every run of white space, newlines included, becomes one
// space) and escapes Markdown, so it cannot start a heading, list, table,
// block quote, link or emphasis of its own.
func md(s string) string {
	s = mdEscaper.Replace(oneLine(s))
	// A leading "-", "+" or "1." would start a (nested) list.
	if s != "" && (s[0] == '-' || s[0] == '+' || s[0] == '=') {
		return `\` + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (s[i] == '.' || s[i] == ')') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

// oneLine flattens s to one line: every run of white space becomes one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

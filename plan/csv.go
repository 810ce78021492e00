package plan

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/convene/convene"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// readCSV feeds rr the records of a CSV file: UTF-8 with or without a BOM,
// CRLF or LF, the separator (comma, semicolon or tab) taken from the header
// line. Rows are numbered as a spreadsheet shows them: blank lines count, a
// quoted cell spanning lines does not add rows.
func readCSV(r io.Reader, rr *rosterReader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("roster: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		_, _ = br.Discard(len(bomUTF8))
		head = head[len(bomUTF8):]
	case bytes.HasPrefix(head, bomUTF16LE), bytes.HasPrefix(head, bomUTF16BE):
		return convene.Errorf(convene.EINVALID, "roster: the file is UTF-16 text: save it as CSV UTF-8 (or .xlsx)")
	}
	cr := csv.NewReader(br)
	cr.Comma = separator(head)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	extra := 0 // lines taken by line breaks inside quoted cells so far
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return convene.Errorf(convene.EINVALID, "roster: line %d: not CSV: %v", pe.Line, pe.Err)
			}
			return fmt.Errorf("roster: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if err := rr.add(line-extra, rec); err != nil {
			return err
		}
		for _, c := range rec {
			extra += strings.Count(c, "\n")
		}
	}
}

// separator picks the most frequent of comma, semicolon and tab outside
// quotes on the first non-blank line; comma if none occurs.
func separator(head []byte) rune {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var n [3]int
		quoted := false
		for _, c := range line {
			switch c {
			case '"':
				quoted = !quoted
			case ',', ';', '\t':
				if !quoted {
					n[strings.IndexByte(",;\t", c)]++
				}
			}
		}
		best := 0
		for i := 1; i < 3; i++ {
			if n[i] > n[best] {
				best = i
			}
		}
		return rune(",;\t"[best])
	}
	return ','
}

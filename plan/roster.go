package plan

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/convene/convene"
)

// ReadRoster reads a roster in format "csv" or "xlsx". The first non-blank row
// is the header; columns are found by name in any order (English or
// Vietnamese, see DESIGN.md), and only full_name and category are required.
// Cells are trimmed and NFC-normalised, phones normalised to E.164, and an
// empty role means delegate. Row numbers are as a spreadsheet shows them: the
// header is row 1.
//
// It reads every row before answering. If any row is bad it returns no
// entries and a *convene.RosterError naming every bad row with its reasons
// (missing name or category, bad phone, email, Telegram id or role, the same
// phone or Telegram id twice in the file). A file it cannot read as a roster
// at all (wrong format, not UTF-8, no header, missing required columns, no
// rows) gives EINVALID naming the problem.
func ReadRoster(r io.Reader, format string) ([]convene.RosterEntry, error) {
	rr := newRosterReader()
	var err error
	switch strings.ToLower(strings.TrimPrefix(format, ".")) {
	case "csv":
		err = readCSV(r, rr)
	case "xlsx":
		err = readXLSX(r, rr)
	default:
		return nil, convene.Errorf(convene.EINVALID, "roster: unknown format %q: want csv or xlsx", format)
	}
	if err != nil {
		return nil, err
	}
	return rr.result()
}

// ReadRosterFile reads the roster at path, its format chosen by extension (.csv or .xlsx).
func ReadRosterFile(path string) ([]convene.RosterEntry, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".xlsx":
	case ".xls":
		return nil, convene.Errorf(convene.EINVALID, "roster: %s: old .xls workbooks are not read; save it as .xlsx or CSV UTF-8", path)
	default:
		return nil, convene.Errorf(convene.EINVALID, "roster: %s: unknown file type %q: want .csv or .xlsx", path, ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	defer f.Close()
	return ReadRoster(f, ext)
}

// rosterReader turns rows into entries, collecting every bad row.
type rosterReader struct {
	cols    columns
	header  bool // the header row has been read
	entries []convene.RosterEntry
	bad     []convene.RowError
	phones  map[string]int
	tgIDs   map[int64]int
	reasons []string // scratch
}

func newRosterReader() *rosterReader {
	return &rosterReader{phones: map[string]int{}, tgIDs: map[int64]int{}}
}

// add takes one row numbered n: the header first, then data. Blank rows are skipped.
func (rr *rosterReader) add(n int, cells []string) error {
	if blank(cells) {
		return nil
	}
	if !rr.header {
		cols, err := readHeader(cells)
		if err != nil {
			return err
		}
		rr.cols, rr.header = cols, true
		return nil
	}
	rr.row(n, cells)
	return nil
}

func (rr *rosterReader) result() ([]convene.RosterEntry, error) {
	switch {
	case !rr.header:
		return nil, convene.Errorf(convene.EINVALID, "roster: the file is empty: want a header row naming full_name and category, then one row per person")
	case len(rr.bad) > 0:
		// Every row, the bad ones with their Problems, so that an import
		// can add what only the meeting knows (unknown categories).
		return rr.entries, &convene.RosterError{Rows: rr.bad}
	case len(rr.entries) == 0:
		return nil, convene.Errorf(convene.EINVALID, "roster: no people: the file has a header but no rows under it")
	}
	return rr.entries, nil
}

// row checks one data row and keeps it or its reasons.
func (rr *rosterReader) row(n int, cells []string) {
	rr.reasons = rr.reasons[:0]
	get := func(f field) string {
		i := rr.cols[f]
		if i < 0 || i >= len(cells) {
			return ""
		}
		s := strings.TrimSpace(cells[i])
		if !utf8.ValidString(s) {
			rr.reasons = append(rr.reasons, fmt.Sprintf("%s is not UTF-8 text (save the file as CSV UTF-8)", fieldNames[f]))
			return ""
		}
		return norm.NFC.String(s)
	}
	e := convene.RosterEntry{
		Row:      n,
		FullName: get(fName),
		Title:    get(fTitle),
		Unit:     get(fUnit),
		Category: get(fCategory),
		Email:    get(fEmail),
	}
	phone, tg, role := get(fPhone), get(fTelegram), get(fRole)
	if e.FullName == "" {
		rr.reasons = append(rr.reasons, "full name missing")
	}
	if e.Category == "" {
		rr.reasons = append(rr.reasons, "category missing")
	}
	if phone != "" {
		p, err := NormalizePhone(phone)
		if err != nil {
			rr.reasons = append(rr.reasons, convene.ErrorMessage(err))
		} else if first, ok := rr.phones[p]; ok {
			rr.reasons = append(rr.reasons, fmt.Sprintf("phone %s is also on row %d", p, first))
		} else {
			e.Phone = p
			rr.phones[p] = n
		}
	}
	if e.Email != "" && !validEmail(e.Email) {
		rr.reasons = append(rr.reasons, fmt.Sprintf("email %q is not an email address", clip(e.Email)))
	}
	if tg != "" {
		id, err := strconv.ParseInt(tg, 10, 64)
		if err != nil || id <= 0 {
			rr.reasons = append(rr.reasons, fmt.Sprintf("telegram id %q must be a number (the user id, not the @username)", clip(tg)))
		} else if first, ok := rr.tgIDs[id]; ok {
			rr.reasons = append(rr.reasons, fmt.Sprintf("telegram id %d is also on row %d", id, first))
		} else {
			e.TelegramID = id
			rr.tgIDs[id] = n
		}
	}
	var ok bool
	if e.Role, ok = parseRole(role); !ok {
		rr.reasons = append(rr.reasons, fmt.Sprintf("role %q must be delegate, organizer or unit_rep (đại biểu, ban tổ chức, đại diện đơn vị)", clip(role)))
	}
	if len(rr.reasons) > 0 {
		rr.bad = append(rr.bad, convene.RowError{Row: n, Reason: strings.Join(rr.reasons, "; ")})
		e.Problems = slices.Clone(rr.reasons)
	}
	rr.entries = append(rr.entries, e)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// validEmail is a simple check: one @, something before it, a dotted domain after it, no spaces.
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 1 || strings.IndexByte(s[at+1:], '@') >= 0 || strings.ContainsAny(s, " \t,;:<>()[]\"\\") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..") && domain[0] != '.'
}

// parseRole reads a role in English or Vietnamese; "" is a delegate.
func parseRole(s string) (convene.Role, bool) {
	switch normName(s) {
	case "", "delegate", "đại biểu":
		return convene.RoleDelegate, true
	case "organizer", "organiser", "tổ chức", "ban tổ chức":
		return convene.RoleOrganizer, true
	case "unit rep", "unit representative", "đại diện đơn vị":
		return convene.RoleUnitRep, true
	case "staff", "phục vụ", "cán bộ phục vụ":
		return convene.RoleStaff, true
	}
	return "", false
}

// normName folds a header or word for matching: NFC, lower case, "_" as a
// space, runs of space as one.
func normName(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	s = strings.ReplaceAll(s, "_", " ")
	s = strings.ReplaceAll(s, "-", " ")
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens a cell quoted in a message to 40 runes.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

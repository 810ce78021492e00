package plan

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/convene/convene"
)

// field is a roster column the reader knows.
type field int

const (
	fName field = iota
	fTitle
	fUnit
	fCategory
	fPhone
	fEmail
	fTelegram
	fRole
	nFields
)

var fieldNames = [nFields]string{"full_name", "title", "unit", "category", "phone", "email", "telegram_id", "role"}

// headerNames maps folded header names (see normName) to fields.
var headerNames = map[string]field{
	"full name": fName, "fullname": fName, "name": fName, "họ và tên": fName, "họ tên": fName,
	"title": fTitle, "chức vụ": fTitle,
	"unit": fUnit, "đơn vị": fUnit,
	"category": fCategory, "thành phần": fCategory,
	"phone": fPhone, "phone number": fPhone, "số điện thoại": fPhone, "sđt": fPhone, "điện thoại": fPhone,
	"email": fEmail, "e mail": fEmail,
	"telegram id": fTelegram, "telegram": fTelegram,
	"role": fRole, "vai trò": fRole,
}

// columns holds each field's column index, -1 if absent.
type columns [nFields]int

// readHeader finds the known columns. Unknown columns (a "STT" serial number,
// notes) are ignored.
func readHeader(cells []string) (columns, error) {
	var cols columns
	for i := range cols {
		cols[i] = -1
	}
	for i, c := range cells {
		c = strings.TrimPrefix(c, "\ufeff")
		if !utf8.ValidString(c) {
			return cols, convene.Errorf(convene.EINVALID, "roster: the file is not UTF-8 text: save it as CSV UTF-8 (or .xlsx)")
		}
		name := strings.TrimSuffix(normName(c), "(*)") // "Họ và tên (*)" marks a required column
		f, ok := headerNames[strings.TrimRight(name, " *:")]
		if !ok {
			continue
		}
		if j := cols[f]; j >= 0 {
			return cols, convene.Errorf(convene.EINVALID, "roster: header: columns %d (%q) and %d (%q) both mean %s", j+1, strings.TrimSpace(cells[j]), i+1, strings.TrimSpace(c), fieldNames[f])
		}
		cols[f] = i
	}
	var missing []string
	if cols[fName] < 0 {
		missing = append(missing, `full_name (or "Họ và tên")`)
	}
	if cols[fCategory] < 0 {
		missing = append(missing, `category (or "Thành phần")`)
	}
	if len(missing) > 0 {
		return cols, convene.Errorf(convene.EINVALID, "roster: header: missing column %s; the first row must name the columns, found %s", strings.Join(missing, " and "), found(cells))
	}
	return cols, nil
}

// found lists header cells for an error message, shortened.
func found(cells []string) string {
	var names []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			if len(names) == 10 {
				names = append(names, "…")
				break
			}
			names = append(names, fmt.Sprintf("%q", clip(c)))
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

package storage

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"modernc.org/sqlite"
)

// baseLetter maps each precomposed Latin letter (Vietnamese included) to its
// lowercase base letter: ễ → e, Đ → d. Built once from NFD decompositions.
var baseLetter = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd', 'Đ': 'd'}
	for _, block := range [][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			d := norm.NFD.String(string(r))
			base, _ := utf8.DecodeRuneInString(d)
			if base != r || len(d) > utf8.RuneLen(r) {
				m[r] = unicode.ToLower(base)
			}
		}
	}
	return m
}()

// fold lowercases s and strips Vietnamese diacritics ("Nguyễn Đức" →
// "nguyen duc"), so name search ignores case and accents. It accepts NFC
// and NFD input and collapses runs of spaces.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				if !space {
					b.WriteByte(' ')
					space = true
				}
				continue
			}
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case unicode.Is(unicode.Mn, r):
			continue
		default:
			if base, ok := baseLetter[r]; ok {
				r = base
			} else {
				r = unicode.ToLower(r)
			}
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSuffix(b.String(), " ")
}

// convene_fold(x) is fold for SQL: filters compare folded units and
// category names with it. Registered once for every connection.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("convene_fold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return fold(v), nil
		case []byte:
			return fold(string(v)), nil
		case nil:
			return nil, nil
		default:
			return fold(fmt.Sprint(v)), nil
		}
	})
}

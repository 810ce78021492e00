package storage

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lowercases s and strips Vietnamese diacritics ("Nguyễn Đức" →
// "nguyen duc"), so name search ignores case and accents.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

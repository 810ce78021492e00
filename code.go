package convene

import "strings"

// CodeAlphabet is the alphabet of personal codes (invitation and unit
// representative tokens): digits and upper-case letters without look-alikes
// — no 0/O, 1/I/L, and no U — so a code printed under a QR code can be
// typed on Zalo or the console without doubt.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeLen is the length of a personal code: the fewest symbols of
// CodeAlphabet carrying at least 128 random bits (27 × log2 30 ≈ 132.5).
const CodeLen = 27

// codeGroup is how many symbols a printed code shows between spaces.
const codeGroup = 4

// IsCode reports whether s is a personal code in CodeAlphabet, as issued.
func IsCode(s string) bool {
	if len(s) != CodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(CodeAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// NormalizeCode reads a personal code as a person types it: in any case,
// with spaces or dashes between groups. It returns the code as issued and
// true only when what is left is entirely a code of CodeAlphabet; anything
// else (an older base64url token, other text) is left alone.
func NormalizeCode(s string) (string, bool) {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == ' ' || c == '-' || c == '\t' || c == '\u00a0':
		case c >= 'a' && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
		default:
			b.WriteRune(c)
		}
	}
	if code := b.String(); IsCode(code) {
		return code, true
	}
	return "", false
}

// GroupCode returns a personal code in groups of four for printing
// ("ABCD EFGH … XYZ"); a token that is not a code of CodeAlphabet (an
// older one) is returned unchanged, since its case and dashes matter.
func GroupCode(s string) string {
	if !IsCode(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i += codeGroup {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+codeGroup, len(s))])
	}
	return b.String()
}

package plan

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"

	"github.com/convene/convene"
)

// PhoneRegion is the region a phone number without a country code is read in.
const PhoneRegion = "VN"

// NormalizePhone returns s in E.164 form, reading numbers without a country
// code as Vietnamese: "0912 345 678", "0912.345.678", "84912345678" and
// "+84 912 345 678" all give "+84912345678"; the landline "028 3829 1234"
// gives "+842838291234". Returns EINVALID saying why for anything that is not
// a valid number.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", convene.Errorf(convene.EINVALID, "phone number is empty")
	}
	if e164, ok := fastVN(s); ok {
		return e164, nil
	}
	var num phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(s, PhoneRegion, &num); err != nil {
		return "", convene.Errorf(convene.EINVALID, "phone %q: %s", clip(s), parseReason(err))
	}
	if !phonenumbers.IsValidNumber(&num) {
		return "", convene.Errorf(convene.EINVALID, "phone %q: %s", clip(s), invalidReason(&num))
	}
	return phonenumbers.Format(&num, phonenumbers.E164), nil
}

func parseReason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "unknown country code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short to be a phone number"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long to be a phone number"
	}
	return "not a phone number"
}

func invalidReason(num *phonenumbers.PhoneNumber) string {
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.TOO_SHORT:
		return "too few digits"
	case phonenumbers.TOO_LONG:
		return "too many digits"
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "unknown country code"
	case phonenumbers.INVALID_LENGTH:
		return "wrong number of digits"
	}
	if num.GetCountryCode() == 84 {
		return "not a valid Vietnamese number (check the prefix; 11-digit mobile numbers were renumbered in 2018)"
	}
	return "not a valid phone number"
}

// fastVN normalises the common forms of Vietnamese numbers ("0912 345 678",
// "0912.345.678", "+84 912 345 678", "0084 912 345 678", "84912345678")
// without the general parser, which spends most of its time in regular
// expressions. It reports false for anything else, or anything invalid, so
// the general parser reads it and says why.
func fastVN(s string) (string, bool) {
	var buf [16]byte
	n, plus := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(buf) {
				return "", false
			}
			buf[n] = c
			n++
		case c == '+' && n == 0 && !plus:
			plus = true
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	p := vnPatterns()
	if p == nil {
		return "", false
	}
	d := string(buf[:n])
	var nsn string
	switch {
	case plus && strings.HasPrefix(d, "84"):
		nsn = d[2:]
	case plus:
		return "", false
	case strings.HasPrefix(d, "0084"):
		nsn = d[4:]
	case d != "" && d[0] == '0':
		nsn = d[1:]
	case strings.HasPrefix(d, "84") && !p.general.re.MatchString(d) && p.general.re.MatchString(d[2:]):
		// The country code without "+", taken as the parser takes it: only
		// when the digits are no national number but are one without "84".
		nsn = d[2:]
	case d != "":
		nsn = d // a national number whose leading 0 a spreadsheet dropped
	default:
		return "", false
	}
	if len(nsn) < 8 || len(nsn) > 10 || nsn[0] == '0' || !p.valid(nsn) {
		return "", false
	}
	return "+84" + nsn, true
}

// numberPatterns are one region's number patterns, compiled once. They
// decide validity as phonenumbers.IsValidNumberForRegion does, without its
// per-call pattern building.
type numberPatterns struct {
	general numberDesc
	types   []numberDesc // any match makes a number valid
}

type numberDesc struct {
	re      *regexp.Regexp
	lengths []int32
}

func (d numberDesc) match(nsn string) bool {
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.re.MatchString(nsn)
}

func (p *numberPatterns) valid(nsn string) bool {
	if !p.general.match(nsn) {
		return false
	}
	for _, d := range p.types {
		if d.match(nsn) {
			return true
		}
	}
	return false
}

// vnPatterns returns the Vietnamese patterns, nil if the metadata lacks them
// (then every number takes the general parser).
var vnPatterns = sync.OnceValue(func() *numberPatterns {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	for _, m := range coll.GetMetadata() {
		if m.GetId() != PhoneRegion {
			continue
		}
		desc := func(d *phonenumbers.PhoneNumberDesc) numberDesc {
			return numberDesc{
				re:      regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$"),
				lengths: d.GetPossibleLength(),
			}
		}
		p := &numberPatterns{general: desc(m.GetGeneralDesc())}
		for _, d := range []*phonenumbers.PhoneNumberDesc{
			m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(),
			m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail(), m.GetFixedLine(),
		} {
			p.types = append(p.types, desc(d))
		}
		if !m.GetSameMobileAndFixedLinePattern() {
			p.types = append(p.types, desc(m.GetMobile()))
		}
		return p
	}
	return nil
})

package plan

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Local layouts a plan may use, read in the meeting's time zone.
var localLayouts = []string{
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

var errTimeForm = errors.New("want a local time like 2024-03-28T08:00 or 2024-03-28 08:00, or RFC 3339 with an offset like 2024-03-28T08:00:00+07:00")

// ParseTime reads a plan time: local to loc in one of the forms
// "2006-01-02T15:04" or "2006-01-02 15:04" (seconds ":00" allowed), or RFC 3339
// with an offset. Times have minute precision. It returns the time in UTC.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	var (
		t   time.Time
		err error
	)
	if layout := localLayout(s); layout != "" {
		t, err = time.ParseInLocation(layout, s, loc)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			// A range error such as "month out of range" says more than the form.
			return time.Time{}, errors.New(strings.TrimPrefix(pe.Message, ": "))
		}
		return time.Time{}, errTimeForm
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return time.Time{}, errors.New("times have minute precision: seconds must be 00")
	}
	return t.UTC(), nil
}

// localLayout picks the local layout matching s by shape, "" if none does.
func localLayout(s string) string {
	if len(s) != 16 && len(s) != 19 {
		return ""
	}
	for _, l := range localLayouts {
		if len(l) == len(s) && l[10] == s[10] {
			return l
		}
	}
	return ""
}

// ParseDuration reads a Go duration ("24h", "90m", "1h30m") that may start
// with a whole number of days ("2d", "1d12h"). Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := errors.New("want a duration like 90m, 24h, 2d or 1d12h")
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, bad
		}
		days = time.Duration(n) * 24 * time.Hour
		if s = s[i+1:]; s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	if d < 0 {
		return 0, errors.New("duration must not be negative")
	}
	return days + d, nil
}

package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/convene/convene"
)

// when formats t in the meeting's zone as the catalog says, e.g.
// "08:00, thứ Năm, 28/03/2024" or "08:00, Thursday, 28 March 2024".
func (b *core) when(lang string, m *convene.Meeting, t time.Time) string {
	lt := t.In(m.Location())
	return b.Texts.T(lang, "time.format", map[string]any{
		"Clock":     lt.Format("15:04"),
		"Weekday":   b.Texts.T(lang, fmt.Sprintf("weekday.%d", int(lt.Weekday())), nil),
		"Day":       lt.Format("02"),
		"Month":     lt.Format("01"),
		"MonthName": b.Texts.T(lang, fmt.Sprintf("month.%d", int(lt.Month())), nil),
		"Year":      lt.Format("2006"),
	})
}

// endClock is the time of day m is expected to end ("11:30"), "" when the
// plan gives no end or the end falls on another day.
func (b *core) endClock(m *convene.Meeting) string {
	if m.EndsAt.IsZero() {
		return ""
	}
	end, start := m.EndsAt.In(m.Location()), m.StartsAt.In(m.Location())
	if end.YearDay() != start.YearDay() || end.Year() != start.Year() {
		return ""
	}
	return end.Format("15:04")
}

// until says how long from now to t in words, e.g. "2 ngày 3 giờ".
func (b *core) until(lang string, now, t time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	if d < time.Minute {
		return b.Texts.T(lang, "duration.now", nil)
	}
	days, hours, mins := int(d.Hours())/24, int(d.Hours())%24, int(d.Minutes())%60
	switch {
	case days > 0 && hours > 0:
		return b.Texts.T(lang, "duration.days_hours", map[string]any{"Days": days, "Hours": hours})
	case days > 0:
		return b.Texts.T(lang, "duration.days", map[string]any{"Days": days})
	case hours > 0 && mins > 0:
		return b.Texts.T(lang, "duration.hours_minutes", map[string]any{"Hours": hours, "Minutes": mins})
	case hours > 0:
		return b.Texts.T(lang, "duration.hours", map[string]any{"Hours": hours})
	}
	return b.Texts.T(lang, "duration.minutes", map[string]any{"Minutes": mins})
}

// rsvpText names an answer in lang.
func (b *core) rsvpText(lang string, r convene.RSVP) string {
	return b.Texts.T(lang, "rsvp."+string(r), nil)
}

// SplitText cuts text into parts of at most max characters (runes), at line
// breaks when it can, for channels that limit a message's length.
func SplitText(text string, max int) []string {
	var parts []string
	rs := []rune(text)
	for len(rs) > max {
		cut := max
		for i := max; i > max/2; i-- {
			if rs[i-1] == '\n' {
				cut = i
				break
			}
		}
		parts = append(parts, strings.TrimRight(string(rs[:cut]), "\n"))
		rs = rs[cut:]
	}
	return append(parts, string(rs))
}

package texts

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func (c *Catalog) timeData(lang string, t time.Time) map[string]any {
	return map[string]any{
		"Clock":       t.Format("15:04"),
		"Hour":        t.Format("15"),
		"Minute":      t.Format("04"),
		"Weekday":     c.T(lang, fmt.Sprintf("weekday.%d", int(t.Weekday())), nil),
		"Day":         t.Format("02"),
		"Month":       t.Format("01"),
		"MonthNumber": strconv.Itoa(int(t.Month())),
		"MonthName":   c.T(lang, fmt.Sprintf("month.%d", int(t.Month())), nil),
		"Year":        t.Format("2006"),
	}
}

// Time formats t (already in the zone to show) the short way chat messages
// use: "08:00, thứ Năm, 28/03/2024" or "08:00, Thursday, 28 March 2024".
func (c *Catalog) Time(lang string, t time.Time) string {
	return c.T(lang, "time.format", c.timeData(lang, t))
}

// Long formats t as a party document writes a time: "08 giờ 00, thứ Năm,
// ngày 28 tháng 3 năm 2024".
func (c *Catalog) Long(lang string, t time.Time) string {
	return c.T(lang, "time.long", c.timeData(lang, t))
}

// Date formats the day of t as a party document writes it: "ngày 28 tháng 3
// năm 2024" or "28 March 2024".
func (c *Catalog) Date(lang string, t time.Time) string {
	return c.T(lang, "time.date_long", c.timeData(lang, t))
}

// Decimal formats f with prec decimals in the way of lang: a decimal comma
// in Vietnamese (4,5), a point in English (4.5).
func Decimal(lang string, f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Percent formats a ratio (0.853) as a percentage with one decimal in the
// way of lang: "85,3%" or "85.3%".
func Percent(lang string, ratio float64) string {
	return Decimal(lang, ratio*100, 1) + "%"
}

// Phone shows a number stored in E.164 as people write it: "+84912888777"
// as "0912 888 777", the landline "+842838291234" as "028 3829 1234".
// Other numbers are returned as they are.
func Phone(e164 string) string {
	if !strings.HasPrefix(e164, "+84") {
		return e164
	}
	n := "0" + e164[3:]
	switch len(n) {
	case 10: // mobile: 4-3-3
		return n[:4] + " " + n[4:7] + " " + n[7:]
	case 11: // landline with a 3-digit area code: 3-4-4
		return n[:3] + " " + n[3:7] + " " + n[7:]
	}
	return n
}

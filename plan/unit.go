package plan

import (
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene"
)

// program reads a meeting's chair and program items. An item's time is
// "08:00" on the meeting's day (in its zone) or a full plan time.
func (b *builder) program(name string, mline int, m *convene.Meeting, loc *time.Location, fm *fileMeeting) (convene.Program, error) {
	p := convene.Program{Chair: strings.TrimSpace(fm.Chair)}
	day := m.StartsAt.In(loc)
	for i, fi := range fm.Program {
		at := line(mline, fi.Time, fi.Title)
		item := convene.ProgramItem{Title: strings.TrimSpace(fi.Title.Value), Presenter: strings.TrimSpace(fi.Presenter)}
		if !fi.Time.Set {
			return p, b.errf(at, "%s: program item %d: time required, such as 08:00", name, i+1)
		}
		v := strings.TrimSpace(fi.Time.Value)
		if c, err := time.Parse("15:04", v); err == nil && !day.IsZero() {
			item.At = time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), 0, 0, loc).UTC()
		} else if item.At, err = ParseTime(v, loc); err != nil {
			return p, b.errf(at, "%s: program item %d: time %q: want 08:00 or a full time like 2024-03-28T08:00", name, i+1, v)
		}
		if item.Title == "" {
			return p, b.errf(at, "%s: program item %d: title required", name, i+1)
		}
		p.Items = append(p.Items, item)
		if err := p.Validate(); err != nil {
			return p, b.errf(at, "%s: %s", name, convene.ErrorMessage(err))
		}
	}
	return p, nil
}

// units reads the units a meeting asks to send delegates, checking each
// against the meeting's categories and start.
func (b *builder) units(name string, mline int, m *convene.Meeting, loc *time.Location, cats []convene.Category, fus []fileUnit) ([]convene.Unit, error) {
	known := map[string]bool{}
	codes := make([]string, len(cats))
	for i, c := range cats {
		known[c.Code] = true
		codes[i] = c.Code
	}
	var units []convene.Unit
	seen := map[string]int{}
	for i := range fus {
		fu := &fus[i]
		uline := line(mline, fu.Name, fu.Representative.Name, fu.Representative.Phone)
		u := convene.Unit{
			Name: strings.Join(strings.Fields(fu.Name.Value), " "),
			Rep: convene.Representative{
				FullName: strings.Join(strings.Fields(fu.Representative.Name.Value), " "),
				Title:    strings.TrimSpace(fu.Representative.Title),
			},
			Position: i,
		}
		if u.Name == "" {
			return nil, b.errf(uline, "%s: unit %d: name required", name, i+1)
		}
		uname := name + ": unit " + u.Name
		k := strings.ToLower(u.Name)
		if first, ok := seen[k]; ok {
			return nil, b.errf(uline, "%s: listed twice (first on line %d)", uname, first)
		}
		seen[k] = uline
		repLine := line(uline, fu.Representative.Phone, fu.Representative.Name)
		if fu.Representative.Line > 0 && !fu.Representative.Phone.Set {
			repLine = fu.Representative.Line
		}
		if u.Rep.FullName == "" {
			return nil, b.errf(repLine, "%s: representative's name required", uname)
		}
		phone := strings.TrimSpace(fu.Representative.Phone.Value)
		if phone == "" {
			return nil, b.errf(repLine, "%s: representative %s has no phone: the representative links and is reached by phone", uname, u.Rep.FullName)
		}
		e164, err := NormalizePhone(phone)
		if err != nil {
			return nil, b.errf(repLine, "%s: representative's phone: %s", uname, convene.ErrorMessage(err))
		}
		u.Rep.Phone = e164
		if fu.NominationDeadline.Set {
			if u.NominationDeadline, err = ParseTime(fu.NominationDeadline.Value, loc); err != nil {
				return nil, b.errf(fu.NominationDeadline.Line, "%s: nomination_deadline %q: %v", uname, fu.NominationDeadline.Value, err)
			}
			if u.NominationDeadline.After(m.StartsAt) {
				return nil, b.errf(fu.NominationDeadline.Line, "%s: nomination_deadline %s is after the meeting starts", uname, fu.NominationDeadline.Value)
			}
		}
		for j, c := range fu.Quotas.Codes {
			code, v := strings.TrimSpace(c.Value), fu.Quotas.Counts[j]
			if !known[code] {
				return nil, b.errf(line(uline, c), "%s: quotas: unknown category %q (the meeting has: %s)", uname, code, strings.Join(codes, ", "))
			}
			n, err := strconv.Atoi(strings.TrimSpace(v.Value))
			if err != nil {
				return nil, b.errf(line(uline, v, c), "%s: quotas: %s: %q is not a whole number", uname, code, v.Value)
			}
			if n < 0 {
				return nil, b.errf(line(uline, v, c), "%s: quotas: %s: quota must not be negative", uname, code)
			}
			if u.Quotas == nil {
				u.Quotas = map[string]int{}
			}
			if _, dup := u.Quotas[code]; dup {
				return nil, b.errf(line(uline, c), "%s: quotas: %s given twice", uname, code)
			}
			u.Quotas[code] = n
		}
		if err := u.Validate(); err != nil {
			return nil, b.errf(uline, "%s: %s", name, convene.ErrorMessage(err))
		}
		units = append(units, u)
	}
	return units, nil
}

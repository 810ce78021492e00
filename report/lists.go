package report

import (
	"sort"
	"strings"
	"time"

	"github.com/convene/convene"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Named is one person on a report's named lists. Its JSON is part of the
// report JSON's contract: machine values are English and stable; names,
// reasons and units are as stored.
type Named struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Unit  string `json:"unit,omitempty"`
	// Reason is why an excused delegate is absent, as they or the office gave it.
	Reason string `json:"reason,omitempty"`
	// Substitute names whom an excused delegate sent in their place.
	Substitute string `json:"substitute,omitempty"`
	// For is whom a substitute stands in for; Status whether the office
	// approved them: approved, proposed or rejected.
	For    string `json:"for,omitempty"`
	Status string `json:"status,omitempty"`
	// Time is when a late arrival checked in, 15:04 in the meeting's zone;
	// CheckedInAt the same instant in UTC.
	Time        string     `json:"time,omitempty"`
	CheckedInAt *time.Time `json:"checked_in_at,omitempty"`
}

// Lists are the report's named lists.
type Lists struct {
	// Excused declined (báo vắng) or were marked absent with a reason.
	Excused []Named `json:"excused"`
	// Absent were marked absent without a reason (vắng không lý do).
	Absent []Named `json:"absent"`
	// Late came after the start (đến muộn), with the check-in time.
	Late []Named `json:"late"`
	// Substitutes are those who stand in for a delegate (người dự thay).
	Substitutes []Named `json:"substitutes"`
}

// NamedLists returns who was excused, absent, late, and who stood in for
// whom, in the order of the invitees. No list is nil.
func NamedLists(d *Data) Lists {
	ls := Lists{Excused: []Named{}, Absent: []Named{}, Late: []Named{}, Substitutes: []Named{}}
	loc := d.Meeting.Location()
	byID := map[int64]*convene.Invitee{}
	covered := map[int64]bool{} // originals whose substitute is an invitee
	for _, inv := range d.Invitees {
		byID[inv.ID] = inv
		if inv.SubstituteFor != 0 {
			covered[inv.SubstituteFor] = true
		}
	}
	for _, inv := range d.Invitees {
		p := inv.Person
		n := Named{Name: p.FullName, Title: p.Title, Unit: p.Unit}
		switch {
		case inv.Attendance == convene.AttendanceAbsent:
			ls.Absent = append(ls.Absent, n)
		case inv.RSVP == convene.RSVPDeclined || inv.Attendance == convene.AttendanceExcused:
			n.Reason, n.Substitute = inv.Reason, inv.SubstituteName
			ls.Excused = append(ls.Excused, n)
		case inv.Attendance == convene.AttendanceLate:
			if !inv.CheckedInAt.IsZero() {
				at := inv.CheckedInAt.UTC()
				n.Time, n.CheckedInAt = at.In(loc).Format("15:04"), &at
			}
			ls.Late = append(ls.Late, n)
		}
		switch {
		case inv.SubstituteFor != 0:
			s := Named{Name: p.FullName, Title: p.Title, Unit: p.Unit, Status: "approved"}
			if o := byID[inv.SubstituteFor]; o != nil {
				s.For = o.Person.FullName
			}
			ls.Substitutes = append(ls.Substitutes, s)
		case inv.RSVP == convene.RSVPSubstitute && inv.SubstituteName != "" && !covered[inv.ID]:
			st := inv.SubstituteStatus
			if st == "" {
				st = "proposed"
			}
			ls.Substitutes = append(ls.Substitutes, Named{Name: inv.SubstituteName, Title: inv.SubstituteTitle, Unit: p.Unit,
				For: p.FullName, Status: st})
		}
	}
	return ls
}

// note is what a list prints after a person's name, in lang: the reason
// (or whom an excused delegate sent), the check-in time, or whom a
// substitute stands in for and whether approved.
func (n Named) note(lang string) string {
	switch {
	case n.For != "":
		s := Tf(lang, "substitute_for", map[string]any{"For": n.For})
		if n.Status != "" {
			s += " — " + n.status(lang)
		}
		return s
	case n.Time != "":
		return Tf(lang, "late_at", map[string]any{"Time": n.Time})
	case n.Reason != "":
		return n.Reason
	case n.Substitute != "":
		return Tf(lang, "sent_substitute", map[string]any{"Name": n.Substitute})
	}
	return ""
}

// reason is an excused delegate's reason, or whom they sent in their place.
func (n Named) reason(lang string) string {
	if n.Reason == "" && n.Substitute != "" {
		return Tf(lang, "sent_substitute", map[string]any{"Name": n.Substitute})
	}
	return n.Reason
}

// status is a substitute's status in lang.
func (n Named) status(lang string) string {
	if n.Status == "" {
		return ""
	}
	return T(lang, "sub_status."+n.Status)
}

// describe is how a list prints one person: "Nguyễn Văn A (Chi bộ 01): lý do".
func (n Named) describe(lang string) string {
	var b strings.Builder
	b.WriteString(n.Name)
	if n.Unit != "" {
		b.WriteString(" (" + n.Unit + ")")
	}
	if note := n.note(lang); note != "" {
		if n.For != "" {
			b.WriteString(" " + note)
		} else {
			b.WriteString(": " + note)
		}
	}
	return b.String()
}

// namedList is one of the named lists with its catalog id.
type namedList struct {
	ID     string // excused_list, absent_list, late_list, substitute_list
	People []Named
}

// parts are the lists in the order every format prints them.
func (ls Lists) parts() []namedList {
	return []namedList{{"excused_list", ls.Excused}, {"absent_list", ls.Absent}, {"late_list", ls.Late}, {"substitute_list", ls.Substitutes}}
}

// namedSections are the lists with their headings, the empty ones left out.
func namedSections(d *Data) []struct {
	Title string
	Lines []string
} {
	var out []struct {
		Title string
		Lines []string
	}
	for _, part := range NamedLists(d).parts() {
		if len(part.People) == 0 {
			continue
		}
		sec := struct {
			Title string
			Lines []string
		}{Title: T(d.Lang, part.ID)}
		for _, n := range part.People {
			sec.Lines = append(sec.Lines, n.describe(d.Lang))
		}
		out = append(out, sec)
	}
	return out
}

// programLines are the meeting's program, one line per item
// ("08:00 – Khai mạc (đồng chí …)"), the chair first.
func programLines(d *Data) []string {
	pr := d.Meeting.Program
	if pr.Empty() {
		return nil
	}
	var out []string
	if pr.Chair != "" {
		out = append(out, T(d.Lang, "chair")+": "+pr.Chair)
	}
	loc := d.Meeting.Location()
	for _, it := range pr.Items {
		line := it.At.In(loc).Format("15:04") + " – " + it.Title
		if it.Presenter != "" {
			line += " (" + it.Presenter + ")"
		}
		out = append(out, line)
	}
	return out
}

// sortVietnamese sorts groups by name in Vietnamese order: accents and Đ
// where a Vietnamese reader looks for them ("Đảng bộ…" before "Văn phòng…").
func sortVietnamese(gs []Group) {
	c := collate.New(language.Vietnamese)
	sort.SliceStable(gs, func(a, b int) bool { return c.CompareString(gs[a].Name, gs[b].Name) < 0 })
}

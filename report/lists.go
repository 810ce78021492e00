package report

import (
	"sort"
	"strings"

	"github.com/convene/convene"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Named is one person on a report's named lists.
type Named struct {
	Name   string `json:"name"`
	Title  string `json:"title,omitempty"`
	Unit   string `json:"unit,omitempty"`
	Reason string `json:"reason,omitempty"` // why absent; for a substitute, whether approved
	For    string `json:"for,omitempty"`    // a substitute: whom they stand in for
	Time   string `json:"time,omitempty"`   // a late arrival: when they checked in (15:04)
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
// whom, in the order of the invitees.
func NamedLists(d *Data) Lists {
	var ls Lists
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
		n := Named{Name: p.FullName, Title: p.Title, Unit: p.Unit, Reason: inv.Reason}
		switch {
		case inv.Attendance == convene.AttendanceAbsent:
			ls.Absent = append(ls.Absent, n)
		case inv.RSVP == convene.RSVPDeclined || inv.Attendance == convene.AttendanceExcused:
			if n.Reason == "" && inv.SubstituteName != "" {
				n.Reason = Tf(d.Lang, "sent_substitute", map[string]any{"Name": inv.SubstituteName})
			}
			ls.Excused = append(ls.Excused, n)
		case inv.Attendance == convene.AttendanceLate:
			if !inv.CheckedInAt.IsZero() {
				n.Time = inv.CheckedInAt.In(loc).Format("15:04")
			}
			n.Reason = ""
			ls.Late = append(ls.Late, n)
		}
		switch {
		case inv.SubstituteFor != 0:
			s := Named{Name: p.FullName, Title: p.Title, Unit: p.Unit, Reason: T(d.Lang, "sub_status.approved")}
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
				For: p.FullName, Reason: T(d.Lang, "sub_status."+st)})
		}
	}
	return ls
}

// Describe is how a list prints one person: "Nguyễn Văn A (Chi bộ 01): lý do".
func (n Named) describe(lang string) string {
	var b strings.Builder
	b.WriteString(n.Name)
	if n.Unit != "" {
		b.WriteString(" (" + n.Unit + ")")
	}
	switch {
	case n.For != "":
		b.WriteString(" " + Tf(lang, "substitute_for", map[string]any{"For": n.For}))
		if n.Reason != "" {
			b.WriteString(" — " + n.Reason)
		}
	case n.Time != "":
		b.WriteString(": " + Tf(lang, "late_at", map[string]any{"Time": n.Time}))
	case n.Reason != "":
		b.WriteString(": " + n.Reason)
	}
	return b.String()
}

// namedSections are the lists with their headings, the empty ones left out.
func namedSections(d *Data) []struct {
	Title string
	Lines []string
} {
	ls := NamedLists(d)
	var out []struct {
		Title string
		Lines []string
	}
	for _, part := range []struct {
		id string
		ns []Named
	}{{"excused_list", ls.Excused}, {"absent_list", ls.Absent}, {"late_list", ls.Late}, {"substitute_list", ls.Substitutes}} {
		if len(part.ns) == 0 {
			continue
		}
		sec := struct {
			Title string
			Lines []string
		}{Title: T(d.Lang, part.id)}
		for _, n := range part.ns {
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

package report

import (
	"io"
	"strconv"
	"time"
)

// CSV writes one row per invitee with an English header (and one column per
// question unless the meeting is anonymous), UTF-8 with a BOM so Excel shows
// Vietnamese correctly. Cells go through SafeCell (no formulas) and phones
// through PhoneCell.
func CSV(w io.Writer, d *Data) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := NewCSVWriter(w)
	header := []string{"full_name", "title", "unit", "category", "phone", "email", "linked", "rsvp", "reason", "substitute", "attendance", "checked_in_at"}
	qs := d.Meeting.Feedback.QuestionList()
	anon := d.Meeting.Feedback.Anonymous
	if !anon {
		for _, q := range qs {
			header = append(header, "feedback_"+q.ID)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	fb := feedbackOf(d)
	for _, inv := range d.Invitees {
		checked := ""
		if !inv.CheckedInAt.IsZero() {
			checked = inv.CheckedInAt.In(d.Meeting.Location()).Format(time.RFC3339)
		}
		row := []string{inv.Person.FullName, inv.Person.Title, inv.Person.Unit, inv.Category.Code, PhoneCell(inv.Person.Phone), inv.Person.Email,
			strconv.FormatBool(inv.Linked()), string(inv.RSVP), inv.Reason, inv.SubstituteName, string(inv.Attendance), checked}
		if !anon {
			f := fb[inv.PersonID]
			for _, q := range qs {
				a := ""
				if f != nil {
					a = f.Answers[q.ID]
				}
				row = append(row, a)
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

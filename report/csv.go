package report

import (
	"io"
	"strconv"
	"time"
)

// CSV writes one row per invitee with an English header (and one column per
// question unless the meeting is anonymous), UTF-8 with a BOM so Excel shows
// Vietnamese correctly. A meeting with units gets, after an empty line, the
// units table of UnitsCSV. Cells go through SafeCell (no formulas) and phones
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
	if err := cw.Error(); err != nil {
		return err
	}
	if len(d.Units) == 0 {
		return nil
	}
	// The units section follows the invitees after an empty line: a second
	// table with its own header (UnitHeader).
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	return UnitsCSV(w, d.Units, false)
}

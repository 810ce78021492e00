package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/convene/convene/texts"
)

// Markdown writes a compact report to read on a phone: attendance (or the
// answers before the meeting) by category and unit, the excused with
// reasons, the feedback compiled by question, response rate by unit and the
// rating distribution.
func Markdown(w io.Writer, d *Data) error {
	l, m := d.Lang, d.Meeting
	s := Summarize(d)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n**%s**\n", T(l, "title"), md(m.Title))
	fmt.Fprintf(&b, "%s: %s\n", T(l, "time"), when(d, m.StartsAt))
	if m.Venue != "" {
		fmt.Fprintf(&b, "%s: %s", T(l, "venue"), md(m.Venue))
		if m.Address != "" {
			fmt.Fprintf(&b, ", %s", md(m.Address))
		}
		b.WriteString("\n")
	}
	if m.Host != "" {
		fmt.Fprintf(&b, "%s: %s\n", T(l, "host"), md(m.Host))
	}
	if prog := programLines(d); len(prog) > 0 {
		fmt.Fprintf(&b, "\n**%s**\n", T(l, "program"))
		for _, s := range prog {
			fmt.Fprintf(&b, "- %s\n", md(s))
		}
	}
	fmt.Fprintf(&b, "\n## %s\n", T(l, "summary"))
	fmt.Fprintf(&b, "- %s: %d · %s: %d\n", T(l, "invited"), s.Invited, T(l, "linked"), s.Linked)
	fmt.Fprintf(&b, "- %s: %d · %s: %d · %s: %d · %s: %d\n", T(l, "attending"), s.Attending, T(l, "declined"), s.Declined,
		T(l, "substitute"), s.Substitute, T(l, "pending"), s.Pending)
	if s.Attended()+s.Excused+s.Absent > 0 {
		fmt.Fprintf(&b, "- %s: %d · %s: %d · %s: %d · %s: %d\n", T(l, "present"), s.Present, T(l, "late"), s.Late,
			T(l, "excused"), s.Excused, T(l, "absent"), s.Absent)
		fmt.Fprintf(&b, "- %s: %s\n", T(l, "attendance_rate"), percent(s.AttendanceRate))
	}
	if g := s.Guests; g != nil {
		fmt.Fprintf(&b, "- %s: %d · %s: %d · %s: %d\n", T(l, "guests"), g.Invited, strings.ToLower(T(l, "attending")), g.Attending,
			strings.ToLower(T(l, "present")), g.Attended())
	}
	for _, part := range []struct {
		title  string
		groups []Group
	}{{"by_category", s.ByCategory}, {"by_unit", s.ByUnit}} {
		fmt.Fprintf(&b, "\n## %s\n", T(l, part.title))
		for _, g := range part.groups {
			fmt.Fprintf(&b, "- %s: %s %d/%d", orDash(md(g.Name)), strings.ToLower(T(l, "attending")), g.Attending, g.Invited)
			if g.Attended()+g.Absent > 0 {
				fmt.Fprintf(&b, ", %s %d, %s %d, %s %d", strings.ToLower(T(l, "present")), g.Attended(),
					strings.ToLower(T(l, "excused")), g.Excused, strings.ToLower(T(l, "absent")), g.Absent)
			}
			b.WriteString("\n")
		}
	}
	if len(d.Units) > 0 {
		writeUnitsMarkdown(&b, l, d.Units)
	}
	for _, sec := range namedSections(d) {
		fmt.Fprintf(&b, "\n## %s\n", sec.Title)
		for _, line := range sec.Lines {
			fmt.Fprintf(&b, "- %s\n", md(line))
		}
	}
	fmt.Fprintf(&b, "\n## %s\n", T(l, "feedback"))
	fmt.Fprintf(&b, "%s: %d (%s)\n", T(l, "responses"), s.Responses, percent(s.ResponseRate))
	if m.Feedback.Anonymous {
		fmt.Fprintf(&b, "_%s_\n", T(l, "anonymous"))
	}
	for i, c := range Compile(d) {
		fmt.Fprintf(&b, "\n**%d. %s**\n", i+1, md(questionText(l, c.Question)))
		if len(c.Answers) == 0 {
			fmt.Fprintf(&b, "%s\n", T(l, "no_answers"))
		}
		for _, a := range c.Answers {
			if a.Name != "" {
				fmt.Fprintf(&b, "- %s — _%s, %s_\n", md(a.Text), md(a.Name), orDash(md(a.Unit)))
			} else {
				fmt.Fprintf(&b, "- %s\n", md(a.Text))
			}
		}
	}
	if s.Ratings > 0 {
		fmt.Fprintf(&b, "\n**%s** (%s %s, %d %s)\n", T(l, "rating"), strings.ToLower(T(l, "rating_average")), texts.Decimal(l, s.RatingAverage, 2), s.Ratings, T(l, "ratings"))
		for n := 5; n >= 1; n-- {
			k := fmt.Sprint(n)
			fmt.Fprintf(&b, "%d★ %s %d\n", n, strings.Repeat("█", s.RatingDistribution[k]), s.RatingDistribution[k])
		}
	}
	fmt.Fprintf(&b, "\n## %s\n", T(l, "response_rate"))
	for _, g := range s.ResponseRows() {
		fmt.Fprintf(&b, "- %s: %d (%s)\n", orDash(md(g.Name)), g.Responses, percent(g.ResponseRate))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

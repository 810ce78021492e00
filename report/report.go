// Package report compiles a meeting's attendance and feedback for the
// board — Markdown (sent in chat), CSV, JSON, XLSX and PDF — and prints
// invitation letters with personal QR codes.
package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/convene/convene"
)

// Data is everything a report needs.
type Data struct {
	Meeting    *convene.Meeting
	Categories []*convene.Category
	Invitees   []*convene.Invitee
	// Feedback has PersonID 0 when the meeting is anonymous.
	Feedback []*convene.Feedback
	// Responders are the people who submitted feedback, also in anonymous meetings.
	Responders []int64
	Generated  time.Time
	Lang       string // "vi" (default) or "en"
	// Units are what each unit was asked to send and what came, by category
	// (convene.UnitService.UnitCounts); nil for a meeting without units.
	Units []convene.UnitCount
	// UnitList are the meeting's units as stored (convene.UnitService.FindUnits),
	// for the letters addressed to them; nil elsewhere.
	UnitList []*convene.Unit
}

// Formats are the report formats, as --format names them.
var Formats = []string{"md", "csv", "json", "xlsx", "pdf"}

// ValidFormat reports whether f is a report format.
func ValidFormat(f string) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// Write writes the report in format to w.
func Write(w io.Writer, d *Data, format string) error {
	switch format {
	case "md":
		return Markdown(w, d)
	case "csv":
		return CSV(w, d)
	case "json":
		return JSON(w, d)
	case "xlsx":
		return XLSX(w, d)
	case "pdf":
		return PDF(w, d)
	}
	return convene.Errorf(convene.EINVALID, "unknown report format %q: use md, csv, json, xlsx or pdf", format)
}

// Group counts one category or unit.
type Group struct {
	Key          string  `json:"key"`
	Name         string  `json:"name"`
	Invited      int     `json:"invited"`
	Linked       int     `json:"linked"`
	Attending    int     `json:"attending"`
	Declined     int     `json:"declined"`
	Substitute   int     `json:"substitute"`
	Pending      int     `json:"pending"`
	Present      int     `json:"present"`
	Late         int     `json:"late"`
	Excused      int     `json:"excused"`
	Absent       int     `json:"absent"`
	Responses    int     `json:"feedback_responses"`
	ResponseRate float64 `json:"response_rate"`
	// ResponsesHidden is set, and Responses and ResponseRate are 0, for a
	// group with fewer than MinResponders responders in an anonymous meeting.
	ResponsesHidden bool `json:"responses_hidden,omitempty"`
}

// Summary holds the report's counts.
type Summary struct {
	// Group counts the delegates: every invitee but guests.
	Group
	// AttendanceRate is the delegates who came (present or late) over those
	// invited, guests left out; 0 before the roll call.
	AttendanceRate float64 `json:"attendance_rate"`
	// Guests counts the invitees of guest categories (the press), apart.
	Guests             *Group         `json:"guests,omitempty"`
	RatingDistribution map[string]int `json:"rating_distribution"`
	RatingAverage      float64        `json:"rating_average"`
	Ratings            int            `json:"ratings"`
	ByCategory         []Group        `json:"by_category"`
	ByUnit             []Group        `json:"by_unit"`
	// OtherCategories and OtherUnits, only in an anonymous meeting, merge
	// the groups whose responses are hidden (see hideFewResponders).
	OtherCategories *Group `json:"other_categories,omitempty"`
	OtherUnits      *Group `json:"other_units,omitempty"`
}

func (g *Group) add(inv *convene.Invitee, responded bool) {
	g.Invited++
	if inv.Linked() {
		g.Linked++
	}
	switch inv.RSVP {
	case convene.RSVPAttending:
		g.Attending++
	case convene.RSVPDeclined:
		g.Declined++
	case convene.RSVPSubstitute:
		g.Substitute++
	default:
		g.Pending++
	}
	switch inv.Attendance {
	case convene.AttendancePresent:
		g.Present++
	case convene.AttendanceLate:
		g.Late++
	case convene.AttendanceExcused:
		g.Excused++
	case convene.AttendanceAbsent:
		g.Absent++
	}
	if responded {
		g.Responses++
	}
}

// Attended counts those who came (present or late).
func (g *Group) Attended() int { return g.Present + g.Late }

func (g *Group) rate() {
	base := g.Attended()
	if base == 0 {
		base = g.Invited
	}
	if base > 0 {
		g.ResponseRate = float64(int(float64(g.Responses)/float64(base)*1000+0.5)) / 1000
	}
}

// Summarize computes the counts of d. In an anonymous meeting no unit or
// category with fewer than MinResponders responders shows how many
// answered: they are merged into OtherUnits and OtherCategories.
func Summarize(d *Data) *Summary {
	responded := map[int64]bool{}
	for _, id := range d.Responders {
		responded[id] = true
	}
	s := &Summary{RatingDistribution: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
	cats := map[int64]int{}
	for _, c := range d.Categories {
		cats[c.ID] = len(s.ByCategory)
		s.ByCategory = append(s.ByCategory, Group{Key: c.Code, Name: c.Name})
	}
	units := map[string]int{}
	guests := map[int64]bool{}
	for _, c := range d.Categories {
		guests[c.ID] = c.Guests
	}
	for _, inv := range d.Invitees {
		r := responded[inv.PersonID]
		guest := guests[inv.CategoryID] || inv.Category.Guests
		if guest {
			if s.Guests == nil {
				s.Guests = &Group{Key: "guests", Name: T(d.Lang, "guests")}
			}
			s.Guests.add(inv, r)
		} else {
			s.Group.add(inv, r)
		}
		i, ok := cats[inv.CategoryID]
		if !ok {
			i = len(s.ByCategory)
			cats[inv.CategoryID] = i
			s.ByCategory = append(s.ByCategory, Group{Key: inv.Category.Code, Name: inv.Category.Name})
		}
		s.ByCategory[i].add(inv, r)
		if guest {
			continue
		}
		j, ok := units[inv.Person.Unit]
		if !ok {
			j = len(s.ByUnit)
			units[inv.Person.Unit] = j
			s.ByUnit = append(s.ByUnit, Group{Key: inv.Person.Unit, Name: inv.Person.Unit})
		}
		s.ByUnit[j].add(inv, r)
	}
	sortVietnamese(s.ByUnit)
	s.Responses = len(d.Responders)
	s.rate()
	if s.Invited > 0 {
		s.AttendanceRate = float64(int(float64(s.Attended())/float64(s.Invited)*1000+0.5)) / 1000
	}
	for i := range s.ByCategory {
		s.ByCategory[i].rate()
	}
	for i := range s.ByUnit {
		s.ByUnit[i].rate()
	}
	if d.Meeting.Feedback.Anonymous {
		s.OtherCategories = hideFewResponders(s.ByCategory, "other", T(d.Lang, "other_categories"))
		s.OtherUnits = hideFewResponders(s.ByUnit, "other", T(d.Lang, "other_units"))
	}
	sum := 0
	for _, f := range d.Feedback {
		if f.Rating >= 1 && f.Rating <= 5 {
			s.RatingDistribution[strconv.Itoa(f.Rating)]++
			s.Ratings++
			sum += f.Rating
		}
	}
	if s.Ratings > 0 {
		s.RatingAverage = float64(int(float64(sum)/float64(s.Ratings)*100+0.5)) / 100
	}
	return s
}

// Answer is one compiled feedback answer with who gave it (empty when anonymous).
type Answer struct {
	Text     string `json:"text"`
	Name     string `json:"name,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Category string `json:"category,omitempty"`
}

// Compiled is the answers to one question.
type Compiled struct {
	Question convene.Question
	Answers  []Answer
}

// Compile groups the feedback by question, then category and unit; names
// are left out for anonymous meetings.
func Compile(d *Data) []Compiled {
	byPerson := map[int64]*convene.Invitee{}
	for _, inv := range d.Invitees {
		byPerson[inv.PersonID] = inv
	}
	catPos := map[string]int{}
	for i, c := range d.Categories {
		catPos[c.Code] = i
	}
	anon := d.Meeting.Feedback.Anonymous
	var out []Compiled
	for _, q := range d.Meeting.Feedback.QuestionList() {
		if q.Kind == convene.QuestionRating {
			continue
		}
		c := Compiled{Question: q}
		for _, f := range d.Feedback {
			text := f.Answers[q.ID]
			if text == "" {
				continue
			}
			a := Answer{Text: text}
			if inv := byPerson[f.PersonID]; inv != nil && !anon {
				a.Name, a.Unit, a.Category = inv.Person.FullName, inv.Person.Unit, inv.Category.Code
			}
			c.Answers = append(c.Answers, a)
		}
		sort.SliceStable(c.Answers, func(i, j int) bool {
			ai, aj := c.Answers[i], c.Answers[j]
			if catPos[ai.Category] != catPos[aj.Category] {
				return catPos[ai.Category] < catPos[aj.Category]
			}
			return ai.Unit < aj.Unit
		})
		out = append(out, c)
	}
	return out
}

// questionText is a question's text: the plan's, or the catalog's for the defaults.
func questionText(lang string, q convene.Question) string {
	if q.Text != "" {
		return q.Text
	}
	return T(lang, "q."+q.ID)
}

// feedbackOf returns each non-anonymous person's answers.
func feedbackOf(d *Data) map[int64]*convene.Feedback {
	out := map[int64]*convene.Feedback{}
	if d.Meeting.Feedback.Anonymous {
		return out
	}
	for _, f := range d.Feedback {
		if f.PersonID != 0 {
			out[f.PersonID] = f
		}
	}
	return out
}

func percent(x float64) string { return fmt.Sprintf("%.0f%%", x*100) }

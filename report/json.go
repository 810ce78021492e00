package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/convene/convene"
)

// jsonInvitee is one invitee of the JSON report; field names are the contract.
type jsonInvitee struct {
	FullName    string            `json:"full_name"`
	Title       string            `json:"title"`
	Unit        string            `json:"unit"`
	Category    string            `json:"category"`
	Phone       string            `json:"phone"`
	Email       string            `json:"email"`
	Linked      bool              `json:"linked"`
	RSVP        string            `json:"rsvp"`
	Reason      string            `json:"reason"`
	Substitute  string            `json:"substitute,omitempty"`
	Attendance  string            `json:"attendance"`
	CheckedInAt *time.Time        `json:"checked_in_at"`
	Feedback    map[string]string `json:"feedback"`
}

type jsonMeeting struct {
	Code         string    `json:"code"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	Host         string    `json:"host"`
	Organization string    `json:"organization"`
	Plan         string    `json:"plan"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	Timezone     string    `json:"timezone"`
	Venue        string    `json:"venue"`
	Address      string    `json:"address"`
	Status       string    `json:"status"`
	Anonymous    bool      `json:"anonymous_feedback"`
	// ReportNumber is the report's own number from the plan (15-BC/BTCĐU), or "".
	ReportNumber string `json:"report_number"`
}

// jsonProgram is the meeting's program: who chairs it and its items.
type jsonProgram struct {
	Chair string     `json:"chair"`
	Items []jsonItem `json:"items"`
}

// jsonItem is one program item: at (UTC) and time (15:04 in the meeting's zone).
type jsonItem struct {
	At        time.Time `json:"at"`
	Time      string    `json:"time"`
	Title     string    `json:"title"`
	Presenter string    `json:"presenter"`
}

type jsonReport struct {
	Meeting   jsonMeeting         `json:"meeting"`
	Generated time.Time           `json:"generated"`
	Invitees  []jsonInvitee       `json:"invitees"`
	Feedback  map[string][]Answer `json:"feedback"`
	Summary   *Summary            `json:"summary"`
	// Units has one row per unit and category: unit, category, asked,
	// nominated, linked, attending. UnitsSentNobody names the units asked
	// for delegates that have nominated none.
	Units           []convene.UnitCount `json:"units"`
	UnitsSentNobody []string            `json:"units_sent_nobody"`
	// Lists are the named lists the PDF, XLSX and Markdown print: excused
	// (with reason or substitute sent), absent, late (with check-in time),
	// substitutes (for whom, status approved|proposed|rejected).
	Lists Lists `json:"lists"`
	// Program is the meeting's program from the plan.
	Program jsonProgram `json:"program"`
}

// JSON writes the machine-readable report: one object per invitee with
// full_name, unit, category, phone, linked, rsvp, reason, attendance,
// checked_in_at and feedback by question id (empty for anonymous
// meetings), the answers compiled by question under "feedback", a
// "summary" of counts, the units, the named "lists" and the "program".
// Values are English and stable.
func JSON(w io.Writer, d *Data) error {
	m := d.Meeting
	out := jsonReport{
		Meeting: jsonMeeting{Code: m.Code, Title: m.Title, Kind: string(m.Kind), Host: m.Host, Organization: m.Organization,
			Plan: m.Plan, StartsAt: m.StartsAt, EndsAt: m.End(), Timezone: m.TimezoneName(), Venue: m.Venue, Address: m.Address,
			Status: string(m.Status), Anonymous: m.Feedback.Anonymous},
		Generated:       d.Generated.UTC(),
		Invitees:        []jsonInvitee{},
		Feedback:        map[string][]Answer{},
		Summary:         Summarize(d),
		Units:           append([]convene.UnitCount{}, d.Units...),
		UnitsSentNobody: append([]string{}, SentNobody(d.Units)...),
		Lists:           NamedLists(d),
		Program:         jsonProgram{Chair: m.Program.Chair, Items: []jsonItem{}},
	}
	out.Meeting.ReportNumber = m.Issuer.ReportNumber
	for _, it := range m.Program.Items {
		out.Program.Items = append(out.Program.Items, jsonItem{At: it.At.UTC(), Time: it.At.In(m.Location()).Format("15:04"),
			Title: it.Title, Presenter: it.Presenter})
	}
	fb := feedbackOf(d)
	for _, inv := range d.Invitees {
		ji := jsonInvitee{FullName: inv.Person.FullName, Title: inv.Person.Title, Unit: inv.Person.Unit, Category: inv.Category.Code,
			Phone: inv.Person.Phone, Email: inv.Person.Email, Linked: inv.Linked(), RSVP: string(inv.RSVP), Reason: inv.Reason,
			Substitute: inv.SubstituteName, Attendance: string(inv.Attendance), Feedback: map[string]string{}}
		if !inv.CheckedInAt.IsZero() {
			t := inv.CheckedInAt.UTC()
			ji.CheckedInAt = &t
		}
		if f := fb[inv.PersonID]; f != nil {
			for k, v := range f.Answers {
				ji.Feedback[k] = v
			}
		}
		out.Invitees = append(out.Invitees, ji)
	}
	for _, c := range Compile(d) {
		out.Feedback[c.Question.ID] = append([]Answer{}, c.Answers...)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

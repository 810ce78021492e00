package plan

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The file* types mirror the YAML of a plan file (see DESIGN.md, "Plan file").
// Fields whose problems are reported by line are scalars.

type filePlan struct {
	Organization string        `yaml:"organization"`
	Office       string        `yaml:"office"`
	Board        string        `yaml:"board"`
	Place        string        `yaml:"place"`
	Contact      string        `yaml:"contact"`
	ContactPhone scalar        `yaml:"contact_phone"`
	Signer       fileSigner    `yaml:"signer"`
	Recipients   []string      `yaml:"recipients"`
	Report       fileReport    `yaml:"report"`
	Plan         string        `yaml:"plan"`
	Timezone     scalar        `yaml:"timezone"`
	Meetings     []fileMeeting `yaml:"meetings"`
}

type fileMeeting struct {
	Code         scalar         `yaml:"code"`
	Title        string         `yaml:"title"`
	Kind         scalar         `yaml:"kind"`
	Host         string         `yaml:"host"`
	Timezone     scalar         `yaml:"timezone"`
	StartsAt     scalar         `yaml:"starts_at"`
	EndsAt       scalar         `yaml:"ends_at"`
	Venue        string         `yaml:"venue"`
	Address      string         `yaml:"address"`
	Agenda       string         `yaml:"agenda"`
	RSVPDeadline scalar         `yaml:"rsvp_deadline"`
	LetterNumber scalar         `yaml:"letter_number"`
	ReportNumber scalar         `yaml:"report_number"`
	Categories   []fileCategory `yaml:"categories"`
	Reminders    []fileReminder `yaml:"reminders"`
	Feedback     *fileFeedback  `yaml:"feedback"`
	Chair        string         `yaml:"chair"`
	Program      []fileItem     `yaml:"program"`
	Units        []fileUnit     `yaml:"units"`
	Materials    []fileMaterial `yaml:"materials"`
}

// fileItem is one item of a meeting's program.
type fileItem struct {
	Time      scalar `yaml:"time"` // "08:00" on the meeting's day, or a full plan time
	Title     scalar `yaml:"title"`
	Presenter string `yaml:"presenter"`
}

// fileUnit is a unit asked to send delegates.
type fileUnit struct {
	Name               scalar     `yaml:"name"`
	Representative     fileRep    `yaml:"representative"`
	NominationDeadline scalar     `yaml:"nomination_deadline"`
	Quotas             fileQuotas `yaml:"quotas"`
}

// fileRep is a unit's representative.
type fileRep struct {
	Name  scalar `yaml:"name"`
	Title string `yaml:"title"`
	Phone scalar `yaml:"phone"`
	Line  int    `yaml:"-"`
}

// UnmarshalYAML implements yaml.Unmarshaler, keeping the mapping's line.
func (r *fileRep) UnmarshalYAML(n *yaml.Node) error {
	type plain fileRep
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*r = fileRep(p)
	r.Line = n.Line
	return nil
}

// fileQuotas is a unit's quotas by category code, in file order, with lines.
type fileQuotas struct {
	Codes  []scalar
	Counts []scalar
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (q *fileQuotas) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: quotas: want a mapping of category code to a number, such as {cap-uy-co-so: 2}", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		var k, v scalar
		if err := k.UnmarshalYAML(n.Content[i]); err != nil {
			return err
		}
		if err := v.UnmarshalYAML(n.Content[i+1]); err != nil {
			return err
		}
		q.Codes, q.Counts = append(q.Codes, k), append(q.Counts, v)
	}
	return nil
}

// fileSigner is a signature block: the office's on letters, the board's on
// the report.
type fileSigner struct {
	Authority scalar `yaml:"authority"` // T/L BAN THƯỜNG VỤ; K/T TRƯỞNG BAN
	Title     scalar `yaml:"title"`     // CHÁNH VĂN PHÒNG; TRƯỞNG BAN
	Name      scalar `yaml:"name"`
}

// fileReport is the board's report: who signs it and who receives it.
type fileReport struct {
	Signer     fileSigner `yaml:"signer"`
	Recipients []string   `yaml:"recipients"`
}

type fileCategory struct {
	Code   scalar `yaml:"code"`
	Name   string `yaml:"name"`
	Quota  int    `yaml:"quota"`
	Guests bool   `yaml:"guests"`
}

type fileReminder struct {
	Before   scalar `yaml:"before"`
	Cron     scalar `yaml:"cron"`
	At       scalar `yaml:"at"`
	Audience scalar `yaml:"audience"`
	From     scalar `yaml:"from"`
	Until    scalar `yaml:"until"`
}

type fileFeedback struct {
	Anonymous bool           `yaml:"anonymous"`
	From      scalar         `yaml:"from"`
	Questions []fileQuestion `yaml:"questions"`
	OpenDelay scalar         `yaml:"open_delay"`
	Period    scalar         `yaml:"period"`
}

type fileQuestion struct {
	ID   scalar `yaml:"id"`
	Kind scalar `yaml:"kind"`
	Text string `yaml:"text"`
}

// scalar is a single YAML value kept as written, with the line it is on.
// Set is false when the key is absent or null.
type scalar struct {
	Value string
	Line  int
	Set   bool
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a single value, not a list or mapping", n.Line)
	}
	*s = scalar{Value: n.Value, Line: n.Line, Set: n.ShortTag() != "!!null"}
	return nil
}

// line returns the first known line of the scalars, or def.
func line(def int, ss ...scalar) int {
	for _, s := range ss {
		if s.Line > 0 {
			return s.Line
		}
	}
	return def
}

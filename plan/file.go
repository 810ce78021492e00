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
	LetterNumber string         `yaml:"letter_number"`
	Categories   []fileCategory `yaml:"categories"`
	Reminders    []fileReminder `yaml:"reminders"`
	Feedback     *fileFeedback  `yaml:"feedback"`
}

// fileSigner is the signature block of letters and reports.
type fileSigner struct {
	Authority string `yaml:"authority"` // T/L BAN THƯỜNG VỤ
	Title     string `yaml:"title"`     // CHÁNH VĂN PHÒNG
	Name      string `yaml:"name"`
}

type fileCategory struct {
	Code  scalar `yaml:"code"`
	Name  string `yaml:"name"`
	Quota int    `yaml:"quota"`
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

package convene

import (
	"context"
	"fmt"
	"strings"
)

// Plan is a parsed plan file: meetings with their categories, reminder rules
// and feedback settings.
type Plan struct {
	Organization string
	Issuer       Issuer // plan-wide: office, board, place, contact, signature
	Number       string // e.g. 82-KH/ĐU
	Timezone     string
	Meetings     []PlanMeeting
}

// PlanMeeting is one meeting of a plan with what belongs to it.
type PlanMeeting struct {
	Meeting    Meeting
	Categories []Category
	Reminders  []ReminderRule
	// Units are the units asked to send delegates, in plan order.
	Units []Unit
	// Materials are the files the plan names for the meeting, with their data, in plan order.
	Materials []Material
}

// Validate returns EINVALID naming the first problem: a bad meeting, a
// duplicate meeting or category code, a bad category or rule.
func (p *Plan) Validate() error {
	if len(p.Meetings) == 0 {
		return Errorf(EINVALID, "plan: no meetings")
	}
	codes := map[string]bool{}
	for _, pm := range p.Meetings {
		m := pm.Meeting
		if err := m.Validate(); err != nil {
			return err
		}
		if codes[m.Code] {
			return Errorf(EINVALID, "plan: meeting code %q used twice", m.Code)
		}
		codes[m.Code] = true
		if len(pm.Categories) == 0 {
			return Errorf(EINVALID, "meeting %s: at least one category required", m.Code)
		}
		cats := map[string]bool{}
		for _, c := range pm.Categories {
			if err := c.Validate(); err != nil {
				return Errorf(EINVALID, "meeting %s: %s", m.Code, ErrorMessage(err))
			}
			if cats[c.Code] {
				return Errorf(EINVALID, "meeting %s: category code %q used twice", m.Code, c.Code)
			}
			cats[c.Code] = true
		}
		if err := pm.validateUnits(cats); err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, r := range pm.Reminders {
			if err := r.Validate(); err != nil {
				return Errorf(EINVALID, "meeting %s: %s", m.Code, ErrorMessage(err))
			}
			if keys[r.Key] {
				return Errorf(EINVALID, "meeting %s: reminder %q given twice", m.Code, r.Key)
			}
			keys[r.Key] = true
		}
	}
	return nil
}

// ApplyResult says what applying a plan changed, per meeting code.
type ApplyResult struct {
	Created   []string
	Updated   []string
	Unchanged []string
	// Moved lists meetings whose time or place changed, so invitees are told.
	Moved []string
}

// RosterEntry is one row of a roster: a person invited in a category.
type RosterEntry struct {
	Row        int // 1-based line or row number in the file, the header being row 1
	FullName   string
	Title      string
	Unit       string
	Category   string // category code or name
	Phone      string // E.164 after normalisation
	Email      string
	TelegramID int64
	Role       Role
	// Problems are what reading the row found wrong. A roster with an entry
	// that has problems is rejected whole; the entry is still passed on so
	// that the import names its other faults (an unknown category) in the
	// same run.
	Problems []string
}

// RowError is a problem with one roster row.
type RowError struct {
	Row    int
	Reason string
}

// RosterError lists every bad row of a rejected roster.
type RosterError struct {
	Rows []RowError
}

// Error lists the bad rows, one per line.
func (e *RosterError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "roster rejected: %d bad row(s)", len(e.Rows))
	for _, r := range e.Rows {
		fmt.Fprintf(&b, "\nrow %d: %s", r.Row, r.Reason)
	}
	return b.String()
}

// ImportResult says what importing a roster did.
type ImportResult struct {
	People      int // rows read
	NewPeople   int
	Invitations int // new invitations
	Unchanged   int
}

// PlanService applies plans and imports rosters.
type PlanService interface {
	// ApplyPlan creates or updates the plan's meetings by code, with their
	// categories, rules and feedback settings, in one transaction. Applying the
	// same plan twice changes nothing the second time.
	ApplyPlan(ctx context.Context, p *Plan) (*ApplyResult, error)
	// ImportRoster invites the entries to the meeting in one transaction,
	// creating or updating people (matched by phone, Telegram id, or name and
	// unit). Returns a *RosterError naming every bad row (unknown category,
	// duplicate person) and imports nothing if any row is bad.
	ImportRoster(ctx context.Context, meetingCode string, entries []RosterEntry) (*ImportResult, error)
}

// Unwrap makes a rejected roster an EINVALID error for ErrorCode.
func (e *RosterError) Unwrap() error { return &Error{Code: EINVALID, Message: e.Error()} }

// validateUnits checks the meeting's units: each valid, named once
// (ignoring case), quotas of known categories only, a nomination deadline
// not after the start.
func (pm *PlanMeeting) validateUnits(cats map[string]bool) error {
	m := &pm.Meeting
	names := map[string]bool{}
	for i := range pm.Units {
		u := &pm.Units[i]
		if err := u.Validate(); err != nil {
			return Errorf(EINVALID, "meeting %s: %s", m.Code, ErrorMessage(err))
		}
		k := strings.ToLower(strings.Join(strings.Fields(u.Name), " "))
		if names[k] {
			return Errorf(EINVALID, "meeting %s: unit %q listed twice", m.Code, u.Name)
		}
		names[k] = true
		for code := range u.Quotas {
			if !cats[code] {
				return Errorf(EINVALID, "meeting %s: unit %s: unknown category %q", m.Code, u.Name, code)
			}
		}
		if !u.NominationDeadline.IsZero() && u.NominationDeadline.After(m.StartsAt) {
			return Errorf(EINVALID, "meeting %s: unit %s: nomination_deadline must not be after starts_at", m.Code, u.Name)
		}
	}
	return nil
}

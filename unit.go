package convene

import (
	"context"
	"strings"
	"time"
)

// Unit is a party committee (đảng bộ or chi bộ) invited to a meeting to
// send delegates ("cử cán bộ tham dự theo đúng thành phần"): per category
// it is asked to send a number of them, named by its representative before
// the nomination deadline.
type Unit struct {
	ID        int64
	MeetingID int64
	Name      string
	// Rep is the unit's representative: the cấp ủy member who nominates.
	Rep Representative
	// RepPersonID is the representative's person (role unit_rep), 0 before storing.
	RepPersonID int64
	// Token is the representative's personal link token, made like an
	// invitation's: 128 random bits, base64url.
	Token string
	// NominationDeadline is the last moment to nominate or withdraw; zero:
	// the meeting's deadline (Meeting.Deadline).
	NominationDeadline time.Time
	// Quotas overrides the categories' default quota for this unit, by
	// category code; 0 asks the unit for nobody of that category.
	Quotas   map[string]int
	Position int
	// IssuedAt is when the unit invitation went to the representative, zero before.
	IssuedAt  time.Time
	CreatedAt time.Time
}

// Representative names the person who nominates a unit's delegates.
type Representative struct {
	FullName string
	Title    string
	Phone    string // E.164, required
}

// Validate returns EINVALID if the unit has no name, a quota below zero, or
// a representative without a name or an E.164 phone.
func (u *Unit) Validate() error {
	switch {
	case strings.TrimSpace(u.Name) == "":
		return Errorf(EINVALID, "unit: name required")
	case strings.TrimSpace(u.Rep.FullName) == "":
		return Errorf(EINVALID, "unit %s: representative's name required", u.Name)
	case u.Rep.Phone == "":
		return Errorf(EINVALID, "unit %s: representative's phone required", u.Name)
	case !e164RE.MatchString(u.Rep.Phone):
		return Errorf(EINVALID, "unit %s: representative's phone %q is not E.164", u.Name, u.Rep.Phone)
	}
	for code, n := range u.Quotas {
		if n < 0 {
			return Errorf(EINVALID, "unit %s: quota of %s must not be negative", u.Name, code)
		}
	}
	return nil
}

// Quota returns how many delegates of category c the unit is asked to send:
// its own quota for c if it has one, else the category's default.
func (u *Unit) Quota(c *Category) int {
	if n, ok := u.Quotas[c.Code]; ok {
		return n
	}
	return c.Quota
}

// Deadline returns the last moment the unit may nominate or withdraw: its
// nomination deadline, or the meeting's deadline.
func (u *Unit) Deadline(m *Meeting) time.Time {
	if u.NominationDeadline.IsZero() {
		return m.Deadline()
	}
	return u.NominationDeadline
}

// UnitCount is what one unit was asked to send in one category and what
// came: the rows of `convene units` and of the report's units section.
type UnitCount struct {
	UnitID     int64  `json:"-"`
	Unit       string `json:"unit"`
	CategoryID int64  `json:"-"`
	Category   string `json:"category"` // category code
	// CategoryName is the category's name, for people to read.
	CategoryName string `json:"-"`
	Asked        int    `json:"asked"`
	Nominated    int    `json:"nominated"` // nominations standing (not withdrawn)
	Linked       int    `json:"linked"`    // nominees with a chat account
	Attending    int    `json:"attending"` // nominees who answered attending
}

// Short reports whether the unit has nominated fewer than it was asked.
func (c *UnitCount) Short() bool { return c.Nominated < c.Asked }

// UnitService reads units and takes their nominations.
type UnitService interface {
	// FindUnits returns a meeting's units in plan order.
	FindUnits(ctx context.Context, meetingID int64) ([]*Unit, error)
	// FindUnitByID returns ENOTFOUND if there is no such unit.
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	// FindUnitByToken returns the unit whose representative's personal
	// token it is, or ENOTFOUND.
	FindUnitByToken(ctx context.Context, token string) (*Unit, error)
	// FindUnitsByRep returns the units a person represents, in every meeting.
	FindUnitsByRep(ctx context.Context, personID int64) ([]*Unit, error)
	// UnitCounts returns, per unit (plan order) and category (plan order),
	// what was asked and what came; a unit's categories with nothing asked
	// and nothing nominated are left out.
	UnitCounts(ctx context.Context, meetingID int64) ([]UnitCount, error)
	// IssueUnits marks the unit invitations of a meeting's units ids issued
	// now; units issued before keep their time. Returns how many it marked.
	IssueUnits(ctx context.Context, meetingID int64, ids []int64) (int, error)
	// FindNominations returns nominations matching f, oldest first.
	FindNominations(ctx context.Context, f NominationFilter) ([]*Nomination, error)
	// Nominate names a delegate of the unit in the category: in one
	// transaction it finds (by phone) or creates the person, invites them
	// with a fresh personal token, records the nomination and an audit entry.
	// Returns EEXPIRED after the unit's deadline, ECONFLICT when the quota
	// is filled, the category is not asked of the unit, or the phone is
	// already nominated in the unit or invited to the meeting otherwise,
	// EFORBIDDEN for the phone of a person whose role can't be nominated
	// (an organizer: see Role.Substitutable), EINVALID for a bad nominee.
	Nominate(ctx context.Context, unitID, categoryID int64, n Nominee, actor string) (*Nomination, error)
	// Withdraw withdraws a standing nomination before the unit's deadline:
	// the invitation is removed, the nomination marked withdrawn, the
	// audit log told. Returns EEXPIRED after the deadline and ECONFLICT if
	// it was withdrawn already.
	Withdraw(ctx context.Context, nominationID int64, actor string) (*Nomination, error)
	// Replace withdraws the nomination and nominates n in the same unit and
	// category in one transaction: both happen or neither does.
	Replace(ctx context.Context, nominationID int64, n Nominee, actor string) (*Nomination, error)
}

package convene

import (
	"errors"
	"strings"
	"time"
)

// Why a nomination (or a roster row in a unit) is refused. Each is the
// Cause of an *Error whose Code stays what it was (ECONFLICT, EEXPIRED,
// EFORBIDDEN); test with errors.Is.
var (
	// ErrOverQuota: the unit has nominated all the delegates of the category it was asked.
	ErrOverQuota = errors.New("over quota")
	// ErrAfterDeadline: the unit's nomination deadline has passed (EEXPIRED).
	ErrAfterDeadline = errors.New("after the nomination deadline")
	// ErrSamePhone: the phone is already nominated by the same unit.
	ErrSamePhone = errors.New("phone already nominated by the unit")
	// ErrInvitedElsewhere: the phone's person is already invited to the
	// meeting, through another unit or directly.
	ErrInvitedElsewhere = errors.New("already invited to the meeting")
	// ErrOrganizerPhone: the phone belongs to someone whose role can't be
	// nominated (an organizer; EFORBIDDEN).
	ErrOrganizerPhone = errors.New("phone of an organizer")
	// ErrCategoryNotAsked: the unit is not asked to send delegates of the category.
	ErrCategoryNotAsked = errors.New("category not asked of the unit")
	// ErrWithdrawnAlready: the nomination is withdrawn already.
	ErrWithdrawnAlready = errors.New("nomination withdrawn already")
)

// NominationState says whether a nomination stands.
type NominationState string

// Nomination states.
const (
	NominationNominated NominationState = "nominated"
	NominationWithdrawn NominationState = "withdrawn"
)

// Nomination is a delegate named by a unit's representative: unit ×
// category × person, with the invitation it made.
type Nomination struct {
	ID         int64
	MeetingID  int64
	UnitID     int64
	CategoryID int64
	PersonID   int64
	// InvitationID is the nominee's invitation; 0 once withdrawn (the
	// invitation is removed).
	InvitationID int64
	// Token is the nominee's personal link token, for the representative to
	// forward; "" once withdrawn.
	Token       string
	State       NominationState
	Actor       string // who nominated, e.g. "telegram:123"
	Person      Person
	CreatedAt   time.Time
	WithdrawnAt time.Time
	// ExistingPerson is set by Nominate when the phone belonged to a person
	// stored before, so the bot may write to them at once if they are linked.
	ExistingPerson bool
	// Substitutes is set by Withdraw and Replace (on the nomination
	// Replace returns, for the one it withdrew): the invitations of the
	// substitutes approved for the nominee (and for them, in turn), as they
	// were before they were removed with the nominee's, with their accounts
	// so the bot can tell them. The seat belongs to the unit: a
	// substitute can't outlast the delegate they stood in for.
	Substitutes []*Invitee
}

// Validate returns EINVALID for a nomination without unit, category or
// person, or with an unknown state.
func (n *Nomination) Validate() error {
	if n.UnitID == 0 || n.CategoryID == 0 || n.PersonID == 0 {
		return Errorf(EINVALID, "nomination: unit, category and person required")
	}
	switch n.State {
	case NominationNominated, NominationWithdrawn:
	default:
		return Errorf(EINVALID, "nomination: unknown state %q", n.State)
	}
	return nil
}

// Nominee is whom a representative names: full name, title and phone.
type Nominee struct {
	FullName string
	Title    string
	Phone    string // E.164
}

// Validate returns EINVALID for a nominee without a name or an E.164 phone.
func (n *Nominee) Validate() error {
	switch {
	case strings.TrimSpace(n.FullName) == "":
		return Errorf(EINVALID, "nominee: full name required")
	case n.Phone == "":
		return Errorf(EINVALID, "nominee %s: phone required", n.FullName)
	case !e164RE.MatchString(n.Phone):
		return Errorf(EINVALID, "nominee %s: phone %q is not E.164", n.FullName, n.Phone)
	}
	return nil
}

// NominationFilter selects nominations. Zero fields match everything.
type NominationFilter struct {
	MeetingID  int64
	UnitID     int64
	CategoryID int64
	State      NominationState
}

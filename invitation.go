package convene

import (
	"context"
	"time"
)

// RSVP is an invitee's answer.
type RSVP string

// RSVP values.
const (
	RSVPPending    RSVP = "pending"
	RSVPAttending  RSVP = "attending"
	RSVPDeclined   RSVP = "declined"
	RSVPSubstitute RSVP = "substitute"
)

// Attendance is what the roll call found.
type Attendance string

// Attendance values; "" means not yet known.
const (
	AttendanceNone    Attendance = ""
	AttendancePresent Attendance = "present"
	AttendanceLate    Attendance = "late"
	AttendanceExcused Attendance = "excused"
	AttendanceAbsent  Attendance = "absent"
)

// CheckinMethod is how someone was checked in.
type CheckinMethod string

// Check-in methods.
const (
	CheckinQR     CheckinMethod = "qr"
	CheckinManual CheckinMethod = "manual"
)

// Invitation is a person's invitation to a meeting.
type Invitation struct {
	ID         int64
	MeetingID  int64
	PersonID   int64
	CategoryID int64
	// Token is the personal link token: at least 128 random bits, base64url.
	Token string
	RSVP  RSVP
	// Reason is why the invitee declined.
	Reason string
	// Substitute names whom the invitee sends instead, while awaiting approval or after.
	SubstituteName  string
	SubstituteTitle string
	SubstitutePhone string
	// SubstituteStatus is "", "proposed", "approved" or "rejected".
	SubstituteStatus string
	// SubstituteFor is the invitation this one substitutes, 0 if none.
	SubstituteFor int64
	RespondedAt   time.Time
	Attendance    Attendance
	CheckedInAt   time.Time
	CheckinMethod CheckinMethod
	// IssuedAt is when the invitation was issued (sent or queued), zero before.
	IssuedAt time.Time
	// Reconfirm is set when the meeting moved and the invitee has not confirmed again.
	Reconfirm bool
	CreatedAt time.Time
}

// Validate returns EINVALID for a missing meeting, person, category or short token, or an unknown state.
func (i *Invitation) Validate() error {
	switch {
	case i.MeetingID == 0 || i.PersonID == 0 || i.CategoryID == 0:
		return Errorf(EINVALID, "invitation: meeting, person and category required")
	case len(i.Token) < 22:
		return Errorf(EINVALID, "invitation: token too short")
	}
	switch i.RSVP {
	case RSVPPending, RSVPAttending, RSVPDeclined, RSVPSubstitute:
	default:
		return Errorf(EINVALID, "invitation: unknown rsvp %q", i.RSVP)
	}
	switch i.Attendance {
	case AttendanceNone, AttendancePresent, AttendanceLate, AttendanceExcused, AttendanceAbsent:
	default:
		return Errorf(EINVALID, "invitation: unknown attendance %q", i.Attendance)
	}
	return nil
}

// Invitee is an invitation with its person, category and accounts: what
// lists, reports and messages need.
type Invitee struct {
	Invitation
	Person   Person
	Category Category
	Accounts []*Account // most recently seen first
}

// Linked reports whether the invitee has a chat account.
func (i *Invitee) Linked() bool { return len(i.Accounts) > 0 }

// Account returns the account to write to: the reachable one seen last, or nil.
func (i *Invitee) Account() *Account {
	for _, a := range i.Accounts {
		if a.Reachable {
			return a
		}
	}
	return nil
}

// InvitationFilter selects invitees of one meeting. Zero fields match everything.
type InvitationFilter struct {
	MeetingID  int64
	PersonID   int64
	RSVP       []RSVP
	Attendance []Attendance
	Category   string // category code
	Unit       string
	// Name keeps invitees with a word of their name starting with it (or
	// several words in a row), ignoring case and accents: "ha" finds "Hà",
	// not "Thanh".
	Name      string
	Linked    *bool
	Issued    *bool
	CheckedIn *bool
	// Expected keeps the invitees still expected to come: it leaves out
	// those who declined and those whose seat went to a substitute the
	// office approved (a reminder to "all" is noise to them).
	Expected bool
	Offset   int
	Limit    int
}

// RSVPChange is an invitee's new answer.
type RSVPChange struct {
	RSVP            RSVP
	Reason          string
	SubstituteName  string
	SubstituteTitle string
	SubstitutePhone string
	Actor           string // for the audit log
}

// SubstituteDecision is an organizer's answer to a proposed substitute.
type SubstituteDecision struct {
	Approve bool
	Actor   string // for the audit log
	// Messages returns the messages the decision sends, given the invitee
	// DecideSubstitute returns and, on approval, whether the substitute is a
	// person stored before (existing) rather than created now. They commit
	// with the decision. It runs inside the transaction: it must not call a
	// service. Nil sends nothing.
	Messages func(inv *Invitee, existing bool) []*OutboxMessage
}

// InvitationService reads and changes invitations.
type InvitationService interface {
	// FindInvitationByToken returns ENOTFOUND for an unknown token.
	FindInvitationByToken(ctx context.Context, token string) (*Invitee, error)
	// FindInvitationByID returns ENOTFOUND if there is no such invitation.
	FindInvitationByID(ctx context.Context, id int64) (*Invitee, error)
	// FindInvitees returns invitees ordered by unit, then name, and the total
	// matching count before Offset and Limit.
	FindInvitees(ctx context.Context, filter InvitationFilter) ([]*Invitee, int, error)
	// SetRSVP records an answer and an audit entry, and enqueues msgs in the
	// same transaction. Returns EEXPIRED after the meeting's deadline and
	// ECONFLICT if the answer is what is already stored (so a replayed button
	// press changes nothing twice). Declining sets attendance excused.
	SetRSVP(ctx context.Context, id int64, ch RSVPChange, msgs ...*OutboxMessage) (*Invitation, error)
	// IssueInvitations marks the invitations issued and enqueues msgs in one transaction.
	IssueInvitations(ctx context.Context, meetingID int64, ids []int64, msgs []*OutboxMessage) error
	// DecideSubstitute approves or rejects a proposed substitute. Approval
	// creates the substitute's invitation (same category), for a new person
	// or the one stored with that phone, and returns it. Returns ECONFLICT if
	// no proposal is pending and EFORBIDDEN if the phone is that of a person
	// whose role can't be substituted in (see Role.Substitutable).
	DecideSubstitute(ctx context.Context, id int64, d SubstituteDecision) (*Invitee, error)
	// CheckIn records attendance: present or late, at, with method. Checking
	// in again keeps the first time and returns ECONFLICT.
	CheckIn(ctx context.Context, id int64, att Attendance, at time.Time, method CheckinMethod, actor string) (*Invitation, error)
	// UndoCheckIn clears a manual check-in.
	UndoCheckIn(ctx context.Context, id int64, actor string) (*Invitation, error)
	// MarkAbsentees, at the meeting's end, sets absent on invitees who were
	// attending or never answered and were not checked in, and excused on
	// those who declined or sent a substitute; returns how many changed.
	MarkAbsentees(ctx context.Context, meetingID int64) (int, error)
	// SetReconfirm flags all of a meeting's invitations to confirm again and enqueues msgs.
	SetReconfirm(ctx context.Context, meetingID int64, msgs []*OutboxMessage) error
	// MeetingStats counts a meeting's invitees.
	MeetingStats(ctx context.Context, meetingID int64) (*Stats, error)
}

// Stats counts a meeting's invitees, in total and by category and unit.
type Stats struct {
	Total      Counts
	ByCategory []GroupCounts
	ByUnit     []GroupCounts
}

// GroupCounts are the counts of one category or unit.
type GroupCounts struct {
	Key    string // category code or unit name
	Name   string // category name or unit name
	Counts Counts
}

// Counts are numbers of invitees in each state.
type Counts struct {
	Invited    int `json:"invited"`
	Issued     int `json:"issued"`
	Linked     int `json:"linked"`
	Attending  int `json:"attending"`
	Declined   int `json:"declined"`
	Substitute int `json:"substitute"`
	Pending    int `json:"pending"`
	Present    int `json:"present"`
	Late       int `json:"late"`
	Excused    int `json:"excused"`
	Absent     int `json:"absent"`
	Feedback   int `json:"feedback"`
}

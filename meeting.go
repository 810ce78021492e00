package convene

import (
	"context"
	"regexp"
	"time"
)

// MeetingKind says what sort of meeting it is.
type MeetingKind string

// Meeting kinds.
const (
	KindRegular  MeetingKind = "regular"
	KindThematic MeetingKind = "thematic"
	KindOther    MeetingKind = "other"
)

// MeetingStatus is where a meeting is in its life: draft → invited → held → closed.
type MeetingStatus string

// Meeting statuses.
const (
	StatusDraft   MeetingStatus = "draft"
	StatusInvited MeetingStatus = "invited"
	StatusHeld    MeetingStatus = "held"
	StatusClosed  MeetingStatus = "closed"
)

// Meeting is one formal meeting that people are invited to.
type Meeting struct {
	ID           int64
	Code         string // slug, unique, used by every command
	Title        string
	Kind         MeetingKind
	Host         string
	Organization string
	Issuer       Issuer    // office, board, letter head and signature, from the plan
	Plan         string    // the plan document's number, e.g. 82-KH/ĐU
	StartsAt     time.Time // stored UTC
	EndsAt       time.Time // zero: StartsAt + 3h
	Timezone     string    // IANA name, shown in it; default Asia/Ho_Chi_Minh
	Venue        string
	Address      string
	Agenda       string
	// Program is the meeting's program and who chairs it, from the plan.
	Program      Program
	RSVPDeadline time.Time // zero: until the meeting starts
	Status       MeetingStatus
	Feedback     FeedbackSettings
	// FeedbackOpenedAt is set when feedback requests went out.
	FeedbackOpenedAt time.Time
	// FeedbackClosedAt is set when feedback closed.
	FeedbackClosedAt time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// Materials counts the meeting's materials (files sent on request).
	Materials int
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSlug reports whether s is a lowercase slug of letters, digits and dashes.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Validate returns EINVALID if the meeting lacks a valid code, title or start,
// ends before it starts, or names an unknown time zone.
func (m *Meeting) Validate() error {
	switch {
	case !ValidSlug(m.Code):
		return Errorf(EINVALID, "meeting code %q must be a slug: lowercase letters, digits and dashes", m.Code)
	case m.Title == "":
		return Errorf(EINVALID, "meeting %s: title required", m.Code)
	case m.StartsAt.IsZero():
		return Errorf(EINVALID, "meeting %s: starts_at required", m.Code)
	case !m.EndsAt.IsZero() && !m.EndsAt.After(m.StartsAt):
		return Errorf(EINVALID, "meeting %s: ends_at must be after starts_at", m.Code)
	case !m.RSVPDeadline.IsZero() && m.RSVPDeadline.After(m.StartsAt):
		return Errorf(EINVALID, "meeting %s: rsvp_deadline must not be after starts_at", m.Code)
	}
	switch m.Kind {
	case "", KindRegular, KindThematic, KindOther:
	default:
		return Errorf(EINVALID, "meeting %s: kind %q must be regular, thematic or other", m.Code, m.Kind)
	}
	if err := m.Program.Validate(); err != nil {
		return Errorf(EINVALID, "meeting %s: %s", m.Code, ErrorMessage(err))
	}
	if _, err := time.LoadLocation(m.TimezoneName()); err != nil {
		return Errorf(EINVALID, "meeting %s: unknown time zone %q", m.Code, m.Timezone)
	}
	return m.Feedback.Validate()
}

// TimezoneName returns the meeting's time zone name, the default if unset.
func (m *Meeting) TimezoneName() string {
	if m.Timezone == "" {
		return DefaultTimezone
	}
	return m.Timezone
}

// Location returns the meeting's time zone; UTC if it cannot be loaded.
func (m *Meeting) Location() *time.Location {
	loc, err := time.LoadLocation(m.TimezoneName())
	if err != nil {
		return time.UTC
	}
	return loc
}

// End returns when the meeting ends: EndsAt, or three hours after the start.
func (m *Meeting) End() time.Time {
	if m.EndsAt.IsZero() {
		return m.StartsAt.Add(3 * time.Hour)
	}
	return m.EndsAt
}

// Deadline returns the last moment answers may change: RSVPDeadline, or the start.
func (m *Meeting) Deadline() time.Time {
	if m.RSVPDeadline.IsZero() {
		return m.StartsAt
	}
	return m.RSVPDeadline
}

// MeetingFilter selects meetings. Zero fields match everything.
type MeetingFilter struct {
	ID     *int64
	Code   *string
	Status *MeetingStatus
	// EndsAfter keeps meetings ending after this time.
	EndsAfter time.Time
}

// MeetingUpdate changes some fields of a meeting; nil fields stay.
type MeetingUpdate struct {
	Status           *MeetingStatus
	FeedbackOpenedAt *time.Time
	FeedbackClosedAt *time.Time
}

// MeetingService reads and updates meetings and their categories.
type MeetingService interface {
	// FindMeetingByCode returns ENOTFOUND if no meeting has the code.
	FindMeetingByCode(ctx context.Context, code string) (*Meeting, error)
	// FindMeetingByID returns ENOTFOUND if no meeting has the id.
	FindMeetingByID(ctx context.Context, id int64) (*Meeting, error)
	// FindMeetings returns matching meetings ordered by start.
	FindMeetings(ctx context.Context, filter MeetingFilter) ([]*Meeting, error)
	// UpdateMeeting applies upd and returns the meeting as stored.
	UpdateMeeting(ctx context.Context, id int64, upd MeetingUpdate) (*Meeting, error)
	// FindCategories returns a meeting's categories in plan order.
	FindCategories(ctx context.Context, meetingID int64) ([]*Category, error)
}

package convene

import (
	"context"
	"time"
)

// Lifetimes of the web desk's secrets.
const (
	// LoginLinkTTL is how long a one-time login link from /web stays valid.
	LoginLinkTTL = 10 * time.Minute
	// SessionTTL is how long a web desk session lasts.
	SessionTTL = 12 * time.Hour
)

// WebSession is a signed-in browser of the web desk. Its secret id lives
// only in the browser's cookie; storage keeps a hash of it.
type WebSession struct {
	// AccountID is the chat account that asked for the login link: the
	// session acts with that account's roles, checked on every request.
	AccountID int64
	Lang      string // "" follows the account
	ExpiresAt time.Time
	CreatedAt time.Time
}

// WebService keeps the web desk's login links and sessions and the few
// writes the desk makes that chat does not.
type WebService interface {
	// CreateLoginLink stores a new one-time login token of the account,
	// valid for ttl, and returns it. Only its hash is stored.
	CreateLoginLink(ctx context.Context, accountID int64, ttl time.Duration) (token string, err error)
	// RedeemLoginLink uses the token once and starts a session of ttl,
	// returning its secret id. Returns ENOTFOUND for an unknown token,
	// ECONFLICT for one already used and EEXPIRED for one too old.
	RedeemLoginLink(ctx context.Context, token string, ttl time.Duration) (sessionID string, s *WebSession, err error)
	// FindWebSession returns ENOTFOUND for an unknown or ended session and
	// EEXPIRED for an expired one.
	FindWebSession(ctx context.Context, sessionID string) (*WebSession, error)
	// DeleteWebSession ends a session (logout); an unknown id is no error.
	DeleteWebSession(ctx context.Context, sessionID string) error

	// ExcuseInvitation marks an invitee not checked in as excused, with an
	// audit entry. Returns ECONFLICT if they are checked in or already excused.
	ExcuseInvitation(ctx context.Context, id int64, actor string) (*Invitation, error)
	// UnexcuseInvitation clears an excuse given at the desk. Returns
	// ECONFLICT if the invitee is not excused or declined (a decliner stays excused).
	UnexcuseInvitation(ctx context.Context, id int64, actor string) (*Invitation, error)
	// FindMessagesTo returns the newest limit messages queued for the
	// person's accounts, newest first, with their delivery state.
	FindMessagesTo(ctx context.Context, personID int64, limit int) ([]*MessageState, error)
	// LastChange returns a number that grows whenever an answer, a
	// check-in or another audited change is stored: live pages poll it.
	LastChange(ctx context.Context) (int64, error)
	// RecentCheckins returns the meeting's latest limit check-ins (QR or
	// marked by hand), newest first, for the door desk.
	RecentCheckins(ctx context.Context, meetingID int64, limit int) ([]*Checkin, error)
}

// Checkin is one arrival as the door desk shows it.
type Checkin struct {
	InvitationID int64
	FullName     string
	Unit         string
	Attendance   Attendance
	Method       CheckinMethod
	At           time.Time
}

// MessageState is a message queued for a person and how its delivery went,
// as the desk's person page shows it.
type MessageState struct {
	Channel   string
	State     OutboxState
	Text      string // the message's text as queued, cut to 200 characters
	Error     string
	CreatedAt time.Time
	SentAt    time.Time
}

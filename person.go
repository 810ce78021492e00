package convene

import (
	"context"
	"regexp"
	"time"
)

// Role is what a person may do.
type Role string

// Roles. Admins come from configuration, not from the database.
const (
	RoleDelegate  Role = "delegate"
	RoleOrganizer Role = "organizer"
	RoleUnitRep   Role = "unit_rep"
	// RoleStaff serves a meeting: the check-in desk and the venue screen only.
	RoleStaff Role = "staff"
)

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	return r == RoleDelegate || r == RoleOrganizer || r == RoleUnitRep || r == RoleStaff
}

// Substitutable reports whether a person of role r may be proposed as
// someone's substitute: delegates and unit representatives may; organizers
// (and any role added later) may not, so a substitution can never hand
// someone an organizer's identity. Admins are accounts, checked by the bot.
func (r Role) Substitutable() bool {
	return r == "" || r == RoleDelegate || r == RoleUnitRep
}

// Person is someone who may be invited: a delegate, organizer or unit representative.
type Person struct {
	ID       int64
	FullName string
	Title    string
	Unit     string
	Phone    string // E.164, e.g. +84912345678
	Email    string
	Lang     string // "vi" or "en"; "" for the bot's default
	Role     Role
	// TelegramID is a Telegram user id given in the roster, if any.
	TelegramID int64
	CreatedAt  time.Time
}

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Validate returns EINVALID if the person has no name, a phone not in E.164 form, or an unknown role.
func (p *Person) Validate() error {
	switch {
	case p.FullName == "":
		return Errorf(EINVALID, "person: full name required")
	case p.Phone != "" && !e164RE.MatchString(p.Phone):
		return Errorf(EINVALID, "person %s: phone %q is not E.164", p.FullName, p.Phone)
	case p.Role != "" && !ValidRole(p.Role):
		return Errorf(EINVALID, "person %s: unknown role %q", p.FullName, p.Role)
	case p.Lang != "" && p.Lang != "vi" && p.Lang != "en":
		return Errorf(EINVALID, "person %s: language must be vi or en", p.FullName)
	}
	return nil
}

// Account is a person's account on one chat channel.
type Account struct {
	ID       int64
	PersonID int64  // 0 until linked
	Channel  string // "telegram", "zalo", "console"
	UserID   string
	ChatID   string
	Name     string // display name from the channel
	Lang     string // chosen with /lang; "" follows the person or default
	// Reachable is false once the channel said the user blocked the bot or cannot be written to.
	Reachable  bool
	LastSeenAt time.Time
	CreatedAt  time.Time
}

// Validate returns EINVALID if the account lacks channel, user or chat.
func (a *Account) Validate() error {
	if a.Channel == "" || a.UserID == "" || a.ChatID == "" {
		return Errorf(EINVALID, "account: channel, user id and chat id required")
	}
	return nil
}

// PersonUpdate changes some fields of a person; nil fields stay.
type PersonUpdate struct {
	Role *Role
	Lang *string
}

// PersonService reads people and manages their accounts.
type PersonService interface {
	// FindPersonByID returns ENOTFOUND if there is no such person.
	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	// FindPersonByPhone returns ENOTFOUND if no person has the E.164 phone.
	FindPersonByPhone(ctx context.Context, phone string) (*Person, error)
	// FindPeople returns people with a word of their name starting with
	// query (case and accent insensitive); all people if query is empty.
	FindPeople(ctx context.Context, query string) ([]*Person, error)
	// CreatePerson stores a new person.
	CreatePerson(ctx context.Context, p *Person) error
	// UpdatePerson applies upd.
	UpdatePerson(ctx context.Context, id int64, upd PersonUpdate) (*Person, error)

	// TouchAccount creates the account of (channel, userID) or updates its chat,
	// name and last-seen time, marks it reachable, and returns it.
	TouchAccount(ctx context.Context, a *Account) (*Account, error)
	// FindAccount returns ENOTFOUND if the channel user has no account.
	FindAccount(ctx context.Context, channel, userID string) (*Account, error)
	// FindAccountByID returns ENOTFOUND if there is no such account.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindAccountsByPerson returns a person's accounts, most recently seen first.
	FindAccountsByPerson(ctx context.Context, personID int64) ([]*Account, error)
	// FindOrganizerAccounts returns the accounts of people with the organizer role.
	FindOrganizerAccounts(ctx context.Context) ([]*Account, error)
	// FindAccountsByRole returns the accounts of people with role, oldest first.
	FindAccountsByRole(ctx context.Context, role Role) ([]*Account, error)
	// LinkAccount binds the account to the person. Returns ECONFLICT if the
	// person already has another account on that channel (the first wins) or the
	// account is bound to someone else.
	LinkAccount(ctx context.Context, accountID, personID int64) error
	// SetAccountReachable records whether the account can be written to.
	SetAccountReachable(ctx context.Context, accountID int64, reachable bool) error
	// SetAccountLang records the language chosen with /lang.
	SetAccountLang(ctx context.Context, accountID int64, lang string) error
}

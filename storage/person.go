package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/convene/convene"
)

var _ convene.PersonService = (*PersonService)(nil)

// PersonService implements convene.PersonService.
type PersonService struct{ db *DB }

// NewPersonService returns a PersonService on db.
func NewPersonService(db *DB) *PersonService { return &PersonService{db: db} }

const personColumns = `id, full_name, title, unit, phone, email, lang, role, telegram_id, created_at`

func scanPerson(row interface{ Scan(...any) error }) (*convene.Person, error) {
	var p convene.Person
	var created int64
	if err := row.Scan(&p.ID, &p.FullName, &p.Title, &p.Unit, &p.Phone, &p.Email, &p.Lang, &p.Role, &p.TelegramID, &created); err != nil {
		return nil, err
	}
	p.CreatedAt = tm(created)
	return &p, nil
}

// FindPersonByID returns ENOTFOUND if there is no such person.
func (s *PersonService) FindPersonByID(ctx context.Context, id int64) (*convene.Person, error) {
	var p *convene.Person
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		p, err = findPersonByID(ctx, tx, id)
		return err
	})
	return p, wrapf(err, "find person %d", id)
}

func findPersonByID(ctx context.Context, tx *Tx, id int64) (*convene.Person, error) {
	p, err := scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	return p, notFound(err, "no person %d", id)
}

// FindPersonByPhone returns the first person stored with the E.164 phone, or ENOTFOUND.
func (s *PersonService) FindPersonByPhone(ctx context.Context, phone string) (*convene.Person, error) {
	var p *convene.Person
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		if phone == "" {
			return convene.Errorf(convene.ENOTFOUND, "no phone given")
		}
		p, err = scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE phone = ? ORDER BY id LIMIT 1`, phone))
		return notFound(err, "no person with phone %s", phone)
	})
	return p, wrapf(err, "find person by phone")
}

// FindPeople returns people with a word of their name starting with query
// (or several words in a row), ignoring case and accents, ordered by name;
// everyone if query is empty.
func (s *PersonService) FindPeople(ctx context.Context, query string) ([]*convene.Person, error) {
	var ps []*convene.Person
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		ps, err = findPeople(ctx, tx, query)
		return err
	})
	return ps, wrapf(err, "find people %q", query)
}

func findPeople(ctx context.Context, tx *Tx, query string) ([]*convene.Person, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+` FROM people WHERE instr(' ' || name_fold, ?) > 0 ORDER BY name_fold, id`, " "+fold(query))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []*convene.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// CreatePerson stores a new person (role delegate if none), setting its id
// and creation time. Returns EINVALID for an invalid person.
func (s *PersonService) CreatePerson(ctx context.Context, p *convene.Person) error {
	err := s.db.inTx(ctx, func(tx *Tx) error { return createPerson(ctx, tx, p) })
	return wrapf(err, "create person %q", p.FullName)
}

func createPerson(ctx context.Context, tx *Tx, p *convene.Person) error {
	if p.Role == "" {
		p.Role = convene.RoleDelegate
	}
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = tx.now
	r, err := tx.ExecContext(ctx, `INSERT INTO people (full_name, name_fold, title, unit, phone, email, lang, role, telegram_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.FullName, fold(p.FullName), p.Title, p.Unit, p.Phone, p.Email, p.Lang, p.Role, p.TelegramID, ts(tx.now))
	if err != nil {
		return err
	}
	p.ID, err = r.LastInsertId()
	return err
}

// UpdatePerson applies upd and returns the person as stored. Returns
// ENOTFOUND for an unknown person and EINVALID for an unknown role or language.
func (s *PersonService) UpdatePerson(ctx context.Context, id int64, upd convene.PersonUpdate) (*convene.Person, error) {
	var p *convene.Person
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		if p, err = findPersonByID(ctx, tx, id); err != nil {
			return err
		}
		if upd.Role != nil {
			p.Role = *upd.Role
		}
		if upd.Lang != nil {
			p.Lang = *upd.Lang
		}
		if err := p.Validate(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE people SET role = ?, lang = ? WHERE id = ?`, p.Role, p.Lang, id)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "update person %d", id)
	}
	return p, nil
}

const accountColumns = `id, COALESCE(person_id, 0), channel, user_id, chat_id, name, lang, reachable, last_seen_at, created_at`

func scanAccount(row interface{ Scan(...any) error }) (*convene.Account, error) {
	var a convene.Account
	var seen, created int64
	if err := row.Scan(&a.ID, &a.PersonID, &a.Channel, &a.UserID, &a.ChatID, &a.Name, &a.Lang, &a.Reachable, &seen, &created); err != nil {
		return nil, err
	}
	a.LastSeenAt, a.CreatedAt = tm(seen), tm(created)
	return &a, nil
}

func scanAccounts(rows *sql.Rows) ([]*convene.Account, error) {
	defer rows.Close()
	var as []*convene.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

// touchQuiet is how long TouchAccount skips writing for an unchanged,
// reachable account: most updates come from one, and a write per update
// would queue every chat behind one writer.
const touchQuiet = time.Minute

// TouchAccount creates the account of (channel, user id) or updates its
// chat, name and last-seen time and marks it reachable, and returns it. An
// unchanged reachable account seen less than a minute ago is not rewritten.
// Returns EINVALID without channel, user or chat.
func (s *PersonService) TouchAccount(ctx context.Context, a *convene.Account) (*convene.Account, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var cur *convene.Account
	_ = s.db.view(ctx, func(tx *Tx) (err error) {
		cur, err = findAccount(ctx, tx, a.Channel, a.UserID)
		return err
	})
	if cur != nil && cur.ChatID == a.ChatID && cur.Name == a.Name && cur.Reachable && s.db.Now().Sub(cur.LastSeenAt) < touchQuiet {
		return cur, nil
	}
	var out *convene.Account
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = touchAccount(ctx, tx, a)
		return err
	})
	return out, wrapf(err, "touch %s account %s", a.Channel, a.UserID)
}

func touchAccount(ctx context.Context, tx *Tx, a *convene.Account) (*convene.Account, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (channel, user_id, chat_id, name, reachable, last_seen_at, created_at)
		VALUES (?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (channel, user_id) DO UPDATE SET chat_id = excluded.chat_id, name = excluded.name, reachable = 1, last_seen_at = excluded.last_seen_at`,
		a.Channel, a.UserID, a.ChatID, a.Name, ts(tx.now), ts(tx.now)); err != nil {
		return nil, err
	}
	return findAccount(ctx, tx, a.Channel, a.UserID)
}

func findAccount(ctx context.Context, tx *Tx, channel, userID string) (*convene.Account, error) {
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE channel = ? AND user_id = ?`, channel, userID))
	return a, notFound(err, "no %s account %s", channel, userID)
}

func findAccountByID(ctx context.Context, tx *Tx, id int64) (*convene.Account, error) {
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	return a, notFound(err, "no account %d", id)
}

// FindAccount returns the account of a channel user, or ENOTFOUND.
func (s *PersonService) FindAccount(ctx context.Context, channel, userID string) (*convene.Account, error) {
	var a *convene.Account
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		a, err = findAccount(ctx, tx, channel, userID)
		return err
	})
	return a, wrapf(err, "find %s account %s", channel, userID)
}

// FindAccountByID returns the account, or ENOTFOUND.
func (s *PersonService) FindAccountByID(ctx context.Context, id int64) (*convene.Account, error) {
	var a *convene.Account
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		a, err = findAccountByID(ctx, tx, id)
		return err
	})
	return a, wrapf(err, "find account %d", id)
}

// FindAccountsByPerson returns a person's accounts, most recently seen first.
func (s *PersonService) FindAccountsByPerson(ctx context.Context, personID int64) ([]*convene.Account, error) {
	var as []*convene.Account
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE person_id = ? ORDER BY last_seen_at DESC, id`, personID)
		if err != nil {
			return err
		}
		as, err = scanAccounts(rows)
		return err
	})
	return as, wrapf(err, "find accounts of person %d", personID)
}

// FindOrganizerAccounts returns the accounts of people with the organizer role, oldest first.
func (s *PersonService) FindOrganizerAccounts(ctx context.Context) ([]*convene.Account, error) {
	return s.FindAccountsByRole(ctx, convene.RoleOrganizer)
}

// FindAccountsByRole returns the accounts of people with role, oldest first.
func (s *PersonService) FindAccountsByRole(ctx context.Context, role convene.Role) ([]*convene.Account, error) {
	var as []*convene.Account
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, COALESCE(a.person_id, 0), a.channel, a.user_id, a.chat_id, a.name, a.lang, a.reachable, a.last_seen_at, a.created_at
			FROM accounts a JOIN people p ON p.id = a.person_id WHERE p.role = ? ORDER BY a.id`, role)
		if err != nil {
			return err
		}
		as, err = scanAccounts(rows)
		return err
	})
	return as, wrapf(err, "find %s accounts", role)
}

// LinkAccount binds the account to the person; linking them again is a
// no-op. Returns ENOTFOUND for an unknown account or person, and ECONFLICT
// if the account is bound to someone else or the person already has
// another account on that channel (the first wins).
func (s *PersonService) LinkAccount(ctx context.Context, accountID, personID int64) error {
	err := s.db.inTx(ctx, func(tx *Tx) error { return linkAccount(ctx, tx, accountID, personID) })
	return wrapf(err, "link account %d to person %d", accountID, personID)
}

func linkAccount(ctx context.Context, tx *Tx, accountID, personID int64) error {
	a, err := findAccountByID(ctx, tx, accountID)
	if err != nil {
		return err
	}
	if _, err := findPersonByID(ctx, tx, personID); err != nil {
		return err
	}
	if a.PersonID == personID {
		return nil
	}
	if a.PersonID != 0 {
		return convene.Errorf(convene.ECONFLICT, "account is linked to another person")
	}
	var other int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE person_id = ? AND channel = ? AND id <> ?`, personID, a.Channel, accountID).Scan(&other)
	if err == nil {
		return convene.Errorf(convene.ECONFLICT, "person already has a %s account", a.Channel)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE accounts SET person_id = ? WHERE id = ?`, personID, accountID)
	return err
}

// SetAccountReachable records whether the account can be written to. Returns ENOTFOUND for an unknown account.
func (s *PersonService) SetAccountReachable(ctx context.Context, accountID int64, reachable bool) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		return updateAccount(ctx, tx, accountID, `UPDATE accounts SET reachable = ? WHERE id = ?`, reachable)
	})
	return wrapf(err, "set account %d reachable", accountID)
}

// SetAccountLang records the language chosen with /lang ("" follows the
// person or default). Returns EINVALID for a language other than vi or en,
// ENOTFOUND for an unknown account.
func (s *PersonService) SetAccountLang(ctx context.Context, accountID int64, lang string) error {
	if lang != "" && lang != "vi" && lang != "en" {
		return convene.Errorf(convene.EINVALID, "language must be vi or en")
	}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		return updateAccount(ctx, tx, accountID, `UPDATE accounts SET lang = ? WHERE id = ?`, lang)
	})
	return wrapf(err, "set account %d language", accountID)
}

// updateAccount runs q, whose last parameter is the account id, and returns ENOTFOUND if no account changed.
func updateAccount(ctx context.Context, tx *Tx, id int64, q string, args ...any) error {
	r, err := tx.ExecContext(ctx, q, append(args, id)...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return convene.Errorf(convene.ENOTFOUND, "no account %d", id)
	}
	return nil
}

package storage

import (
	"context"
	"database/sql"
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
	return p, err
}

func findPersonByID(ctx context.Context, tx *Tx, id int64) (*convene.Person, error) {
	p, err := scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	return p, notFound(err, "no person %d", id)
}

// FindPersonByPhone returns ENOTFOUND if no person has the phone.
func (s *PersonService) FindPersonByPhone(ctx context.Context, phone string) (*convene.Person, error) {
	var p *convene.Person
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		p, err = scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE phone = ? AND phone <> '' ORDER BY id LIMIT 1`, phone))
		return notFound(err, "no person with phone %s", phone)
	})
	return p, err
}

// FindPeople returns people whose name contains query, ignoring case and accents.
func (s *PersonService) FindPeople(ctx context.Context, query string) ([]*convene.Person, error) {
	var ps []*convene.Person
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+` FROM people WHERE instr(' ' || name_fold, ?) > 0 ORDER BY full_name, id`, " "+fold(query))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPerson(rows)
			if err != nil {
				return err
			}
			ps = append(ps, p)
		}
		return rows.Err()
	})
	return ps, err
}

// CreatePerson stores a new person.
func (s *PersonService) CreatePerson(ctx context.Context, p *convene.Person) error {
	if p.Role == "" {
		p.Role = convene.RoleDelegate
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		p.CreatedAt = tx.now
		r, err := tx.ExecContext(ctx, `INSERT INTO people (full_name, name_fold, title, unit, phone, email, lang, role, telegram_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.FullName, fold(p.FullName), p.Title, p.Unit, p.Phone, p.Email, p.Lang, p.Role, p.TelegramID, ts(tx.now))
		if err != nil {
			return err
		}
		p.ID, err = r.LastInsertId()
		return err
	})
}

// UpdatePerson applies upd.
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
	return p, err
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

// TouchAccount creates or refreshes the account of (channel, user id) and returns it.
func (s *PersonService) TouchAccount(ctx context.Context, a *convene.Account) (*convene.Account, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	// Most updates come from a known, unchanged account: skip the write then,
	// refreshing last_seen_at at most once a minute.
	var cur *convene.Account
	_ = s.db.view(ctx, func(tx *Tx) (err error) {
		cur, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE channel = ? AND user_id = ?`, a.Channel, a.UserID))
		return err
	})
	if cur != nil && cur.ChatID == a.ChatID && cur.Name == a.Name && cur.Reachable && s.db.Now().Sub(cur.LastSeenAt) < time.Minute {
		return cur, nil
	}
	var out *convene.Account
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (channel, user_id, chat_id, name, reachable, last_seen_at, created_at)
			VALUES (?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT (channel, user_id) DO UPDATE SET chat_id = excluded.chat_id, name = excluded.name, reachable = 1, last_seen_at = excluded.last_seen_at`,
			a.Channel, a.UserID, a.ChatID, a.Name, ts(tx.now), ts(tx.now)); err != nil {
			return err
		}
		var err error
		out, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE channel = ? AND user_id = ?`, a.Channel, a.UserID))
		return err
	})
	return out, err
}

// FindAccount returns ENOTFOUND if the channel user has no account.
func (s *PersonService) FindAccount(ctx context.Context, channel, userID string) (*convene.Account, error) {
	var a *convene.Account
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		a, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE channel = ? AND user_id = ?`, channel, userID))
		return notFound(err, "no %s account %s", channel, userID)
	})
	return a, err
}

// FindAccountByID returns ENOTFOUND if there is no such account.
func (s *PersonService) FindAccountByID(ctx context.Context, id int64) (*convene.Account, error) {
	var a *convene.Account
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		a, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
		return notFound(err, "no account %d", id)
	})
	return a, err
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
	return as, err
}

// FindOrganizerAccounts returns the accounts of people with the organizer role.
func (s *PersonService) FindOrganizerAccounts(ctx context.Context) ([]*convene.Account, error) {
	var as []*convene.Account
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, COALESCE(a.person_id, 0), a.channel, a.user_id, a.chat_id, a.name, a.lang, a.reachable, a.last_seen_at, a.created_at
			FROM accounts a JOIN people p ON p.id = a.person_id WHERE p.role = 'organizer' ORDER BY a.id`)
		if err != nil {
			return err
		}
		as, err = scanAccounts(rows)
		return err
	})
	return as, err
}

// LinkAccount binds the account to the person; the first account of a channel wins.
func (s *PersonService) LinkAccount(ctx context.Context, accountID, personID int64) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, accountID))
		if err != nil {
			return notFound(err, "no account %d", accountID)
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
		} else if err != sql.ErrNoRows {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET person_id = ? WHERE id = ?`, personID, accountID)
		return err
	})
}

// SetAccountReachable records whether the account can be written to.
func (s *PersonService) SetAccountReachable(ctx context.Context, accountID int64, reachable bool) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET reachable = ? WHERE id = ?`, reachable, accountID)
		return err
	})
}

// SetAccountLang records the language chosen with /lang.
func (s *PersonService) SetAccountLang(ctx context.Context, accountID int64, lang string) error {
	if lang != "" && lang != "vi" && lang != "en" {
		return convene.Errorf(convene.EINVALID, "language must be vi or en")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET lang = ? WHERE id = ?`, lang, accountID)
		return err
	})
}

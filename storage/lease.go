package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/convene/convene"
)

var _ convene.LeaseService = (*LeaseService)(nil)

// LeaseService implements convene.LeaseService.
type LeaseService struct{ db *DB }

// NewLeaseService returns a LeaseService on db.
func NewLeaseService(db *DB) *LeaseService { return &LeaseService{db: db} }

// AcquireLease takes or renews the lease name for holder until storage
// time + ttl. Returns ECONFLICT naming the holder while another holds an
// unexpired lease.
func (s *LeaseService) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var cur string
		var exp int64
		err := tx.QueryRowContext(ctx, `SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&cur, &exp)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cur != holder && tm(exp).After(tx.now):
			return convene.Errorf(convene.ECONFLICT, "%s is held by %s until %s", name, cur, tm(exp).Local().Format(time.DateTime))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`, name, holder, ts(tx.now.Add(ttl)))
		return err
	})
	return wrapf(err, "acquire lease %s", name)
}

// ReleaseLease gives the lease up if holder has it.
func (s *LeaseService) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
	return wrapf(err, "release lease %s", name)
}

// FindLease returns the holder of the lease name and its expiry, "" if
// nobody holds an unexpired one.
func (s *LeaseService) FindLease(ctx context.Context, name string) (holder string, until time.Time, err error) {
	err = s.db.view(ctx, func(tx *Tx) error {
		var exp int64
		err := tx.QueryRowContext(ctx, `SELECT holder, expires_at FROM leases WHERE name = ? AND expires_at > ?`, name, ts(tx.now)).Scan(&holder, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		until = tm(exp)
		return err
	})
	return holder, until, wrapf(err, "find lease %s", name)
}

// Package storage keeps convene's state in SQLite (modernc.org/sqlite, pure
// Go): it opens the database with WAL, a busy timeout, foreign keys and
// immediate transactions, migrates it from embedded SQL files, and
// implements the root package's services.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"time"

	"github.com/convene/convene"
	_ "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the database connection. Every time-dependent write and query uses Now.
type DB struct {
	db     *sql.DB
	ctx    context.Context
	cancel func()
	// DSN is the database file path.
	DSN string
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// NewDB returns a DB for the file at dsn; call Open before use.
func NewDB(dsn string) *DB {
	db := &DB{DSN: dsn, Now: time.Now}
	db.ctx, db.cancel = context.WithCancel(context.Background())
	return db
}

// Open opens the database and applies pending migrations.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return fmt.Errorf("dsn required")
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	if db.db, err = sql.Open("sqlite", "file:"+db.DSN+"?"+q.Encode()); err != nil {
		return err
	}
	// One writer at a time is SQLite's rule anyway; a small pool lets reads go alongside.
	db.db.SetMaxOpenConns(4)
	if err := db.db.PingContext(db.ctx); err != nil {
		return fmt.Errorf("open %s: %w", db.DSN, err)
	}
	if err := db.migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations not yet applied, each in its own transaction.
func (db *DB) migrate() error {
	if _, err := db.db.ExecContext(db.ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(name string) error {
	tx, err := db.db.BeginTx(db.ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(buf)); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (db *DB) Close() error {
	db.cancel()
	if db.db != nil {
		return db.db.Close()
	}
	return nil
}

// Backup writes a consistent copy of the database to path while others may be writing.
func (db *DB) Backup(ctx context.Context, path string) error {
	_, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// Tx is a transaction with the time it started, which its writes use.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
}

// BeginTx starts a transaction (BEGIN IMMEDIATE, so writers queue at the start).
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC()}, nil
}

// inTx runs fn in a transaction and commits it if fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ts converts a time to the stored integer: Unix nanoseconds, 0 for zero.
func ts(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// tm converts a stored integer back to a UTC time.
func tm(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// notFound returns ENOTFOUND for sql.ErrNoRows and err otherwise.
func notFound(err error, format string, args ...any) error {
	if err == sql.ErrNoRows {
		return convene.Errorf(convene.ENOTFOUND, format, args...)
	}
	return err
}

// view runs fn in a read-only (deferred) transaction, so reads don't queue behind writers.
func (db *DB) view(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

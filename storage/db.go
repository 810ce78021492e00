// Package storage keeps convene's state in SQLite (modernc.org/sqlite, pure
// Go) and implements the root package's services on it.
//
// A DB opens the file with WAL, a 10 s busy timeout, foreign keys,
// synchronous NORMAL and BEGIN IMMEDIATE for every write transaction, so a
// CLI and a running serve can share it: writers queue at the start of their
// transaction instead of failing half-way. It applies the embedded
// migrations in name order, each in its own transaction, recorded in the
// migrations table.
//
// One type per service, each made by its constructor on a shared *DB:
// NewMeetingService, NewPlanService (plan.go, roster.go),
// NewPersonService, NewInvitationService (invitation.go, rsvp.go,
// checkin.go), NewOutboxService, NewReminderService,
// NewConversationService, NewFeedbackService, NewAuditService and
// NewStateService. Each public method is one transaction around unexported
// helpers that take the *Tx; business state and the outbox rows it causes
// commit together.
//
// Times are stored as INTEGER Unix nanoseconds, UTC (0: unset), so they
// come back Equal to what was stored. Every time a method records (created,
// responded, fired, claimed as due, …) is DB.Now at the start of its
// transaction; SQLite's clock is never used.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
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
	// DSN is the database file path, or a "file:" URI.
	DSN string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// stmts caches prepared statements by query text: parsing SQL is most of
	// the cost of a small transaction. Bounded by maxStmts.
	// A statement is prepared in the background, never by a transaction
	// waiting for it: preparing needs a connection of the pool, and the
	// transactions holding the pool's connections must not wait for one.
	stmtMu    sync.Mutex
	stmts     map[string]*sql.Stmt
	preparing map[string]bool
	prepWG    sync.WaitGroup
	// writer admits one write transaction of this process at a time, so
	// writers queue here, in order, instead of in SQLite's busy handler,
	// which sleeps in steps of milliseconds. Other processes still meet the
	// busy timeout.
	writer chan struct{}
}

// NewDB returns a DB for the file at dsn; call Open before use.
func NewDB(dsn string) *DB {
	db := &DB{DSN: dsn, Now: time.Now, writer: make(chan struct{}, 1), stmts: map[string]*sql.Stmt{}, preparing: map[string]bool{}}
	db.ctx, db.cancel = context.WithCancel(context.Background())
	return db
}

// Open opens the database with WAL, a 10 s busy timeout, foreign keys,
// synchronous NORMAL, temporary data in memory and BEGIN IMMEDIATE for write
// transactions, and applies pending migrations. Several processes may open
// the same file.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return fmt.Errorf("dsn required")
	}
	q := url.Values{}
	// The busy timeout first: switching a new file to WAL takes a lock that
	// another process opening it at the same moment must wait for.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	// A plain path is opened as it is (no URI parsing of '%' or '#'); a
	// "file:" URI may carry parameters of its own.
	sep := "?"
	if strings.HasPrefix(db.DSN, "file:") && strings.Contains(db.DSN, "?") {
		sep = "&"
	}
	if db.db, err = sql.Open("sqlite", db.DSN+sep+q.Encode()); err != nil {
		return fmt.Errorf("open %s: %w", db.DSN, err)
	}
	// One writer at a time is SQLite's rule anyway (BEGIN IMMEDIATE and the
	// busy timeout queue writers, also across processes); a small pool lets
	// reads go alongside. An in-memory database exists once per connection,
	// so it gets one.
	db.db.SetMaxOpenConns(4)
	if db.DSN == ":memory:" {
		db.db.SetMaxOpenConns(1)
	}
	// Switching a new file to WAL takes a lock for which SQLite does not
	// call the busy handler: a process opening the file at the same moment
	// gets SQLITE_BUSY at once. Try again for up to the busy timeout.
	err = db.db.PingContext(db.ctx)
	for wait, deadline := 5*time.Millisecond, time.Now().Add(10*time.Second); err != nil && strings.Contains(err.Error(), "SQLITE_BUSY") && time.Now().Before(deadline); wait = min(2*wait, 200*time.Millisecond) {
		time.Sleep(wait)
		err = db.db.PingContext(db.ctx)
	}
	if err != nil {
		db.db.Close()
		db.db = nil
		return fmt.Errorf("open %s: %w", db.DSN, err)
	}
	if err := db.migrate(); err != nil {
		db.db.Close()
		db.db = nil
		return fmt.Errorf("migrate %s: %w", db.DSN, err)
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
	// After the lock has been held once, no stmt call starts a prepare (it
	// sees the context cancelled), so Wait sees every Add; a prepare still
	// waiting for a connection returns, cancelled.
	db.stmtMu.Lock()
	db.stmtMu.Unlock()
	db.prepWG.Wait()
	db.stmtMu.Lock()
	for q, st := range db.stmts {
		if st != nil {
			st.Close()
		}
		delete(db.stmts, q)
	}
	db.stmtMu.Unlock()
	if db.db != nil {
		return db.db.Close()
	}
	return nil
}

// Backup writes a consistent copy of the database to path (VACUUM INTO)
// while others may be writing. The file must not exist yet or be empty;
// an existing empty file keeps its mode, so a caller that wants the copy
// private creates it first (0600, O_EXCL) and passes its path.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// Tx is a transaction with the time it began, which everything it records uses.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// release gives the writer slot back, once; nil for read-only transactions.
	release func()
}

// Commit commits the transaction and lets the next writer in.
func (tx *Tx) Commit() error {
	defer tx.done()
	return tx.Tx.Commit()
}

// Rollback aborts the transaction, if still open, and lets the next writer in.
func (tx *Tx) Rollback() error {
	defer tx.done()
	return tx.Tx.Rollback()
}

func (tx *Tx) done() {
	if tx.release != nil {
		tx.release()
		tx.release = nil
	}
}

// maxStmts bounds the statement cache; queries beyond it are parsed each time.
const maxStmts = 512

// stmt returns the cached prepared statement of query, or nil when it is
// not prepared yet (a background prepare is started) or the cache is full;
// the caller then runs query unprepared on its own connection. It never
// waits for a connection: a transaction holds one already, and waiting for
// a second while others do the same would exhaust the pool for good.
func (db *DB) stmt(query string) *sql.Stmt {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st
	}
	if db.preparing[query] || len(db.stmts)+len(db.preparing) >= maxStmts || db.ctx.Err() != nil {
		return nil
	}
	db.preparing[query] = true
	db.prepWG.Add(1)
	go db.prepare(query)
	return nil
}

// prepare prepares query on a connection of the pool, when one is free,
// and caches it; a query that fails to prepare is cached as nil, so it is
// not tried again.
func (db *DB) prepare(query string) {
	defer db.prepWG.Done()
	st, err := db.db.PrepareContext(db.ctx, query)
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	delete(db.preparing, query)
	switch {
	case db.ctx.Err() != nil:
		if st != nil {
			st.Close()
		}
	case err != nil:
		db.stmts[query] = nil
	default:
		db.stmts[query] = st
	}
}

// ExecContext runs query in the transaction with a cached prepared statement.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := tx.db.stmt(query)
	if st == nil {
		return tx.Tx.ExecContext(ctx, query, args...)
	}
	return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// QueryContext runs query in the transaction with a cached prepared statement.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := tx.db.stmt(query)
	if st == nil {
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// QueryRowContext runs query in the transaction with a cached prepared statement.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st := tx.db.stmt(query)
	if st == nil {
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// writerWait bounds how long a write transaction waits for the writers before it.
const writerWait = 15 * time.Second

// BeginTx starts a transaction: BEGIN IMMEDIATE, so writers queue at the
// start (waiting up to the busy timeout), or a deferred one for
// opts.ReadOnly. Its time is DB.Now once the transaction has begun.
// Returns an error if the writers before it take longer than 15 s.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	var release func()
	if opts == nil || !opts.ReadOnly {
		t := time.NewTimer(writerWait)
		defer t.Stop()
		select {
		case db.writer <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
			return nil, fmt.Errorf("database busy: no write transaction after %s", writerWait)
		}
		release = func() { <-db.writer }
	}
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, err
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC(), release: release}, nil
}

// txKey carries the transaction of InTx in a context.
type txKey struct{}

// InTx runs fn in one write transaction carried by its context: every
// service method called with that context joins the transaction (each
// within a savepoint, so a method that fails leaves nothing behind, as
// alone), and all commits when fn returns nil, or nothing does. Called
// with a context that already carries a transaction, fn runs in a
// savepoint of it: if fn fails, its writes are undone and the outer
// transaction goes on.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if tx := db.joined(ctx); tx != nil {
		return tx.savepoint(ctx, func(*Tx) error { return fn(ctx) })
	}
	return db.inTx(ctx, func(tx *Tx) error { return fn(context.WithValue(ctx, txKey{}, tx)) })
}

var _ convene.Transactor = (*DB)(nil)

// joined returns the transaction of this database that ctx carries, or nil.
func (db *DB) joined(ctx context.Context) *Tx {
	if tx, ok := ctx.Value(txKey{}).(*Tx); ok && tx.db == db {
		return tx
	}
	return nil
}

// inTx runs fn in a transaction and commits it if fn returns nil. Inside
// InTx, fn runs in a savepoint of the caller's transaction instead.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	if tx := db.joined(ctx); tx != nil {
		return tx.savepoint(ctx, fn)
	}
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

// savepoint runs fn within a savepoint of tx, rolled back if fn fails.
func (tx *Tx) savepoint(ctx context.Context, fn func(tx *Tx) error) error {
	// Savepoints nest; SQLite resolves a repeated name to the innermost.
	const name = "sp"
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		bg := context.WithoutCancel(ctx)
		if _, rerr := tx.ExecContext(bg, "ROLLBACK TO "+name); rerr != nil {
			return errors.Join(err, rerr)
		}
		if _, rerr := tx.ExecContext(bg, "RELEASE "+name); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := tx.ExecContext(ctx, "RELEASE "+name)
	return err
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

// wrapf adds context to an unexpected error. Domain errors already speak to
// the caller and pass unchanged: a *convene.Error, or any error that unwraps
// to one (a *convene.RosterError does, as EINVALID), found with errors.As.
func wrapf(err error, format string, args ...any) error {
	var e *convene.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// notFound returns ENOTFOUND for sql.ErrNoRows and err otherwise.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return convene.Errorf(convene.ENOTFOUND, format, args...)
	}
	return err
}

// view runs fn in a read-only (deferred) transaction, so reads don't queue
// behind writers; inside InTx, in the caller's transaction, so it sees its writes.
func (db *DB) view(ctx context.Context, fn func(tx *Tx) error) error {
	if tx := db.joined(ctx); tx != nil {
		return fn(tx)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

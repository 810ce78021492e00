package storage

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var readOnly = &sql.TxOptions{ReadOnly: true}

func TestOpen(t *testing.T) {
	t.Run("EveryConnectionHasThePragmas", func(t *testing.T) {
		db := NewDB(filepath.Join(t.TempDir(), "p.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// Hold several connections at once so the pool opens more than one.
		ctx := context.Background()
		var txs []*Tx
		for i := 0; i < 3; i++ {
			opts := readOnly
			if i == 0 { // one writer at a time: later ones read only
				opts = nil
			}
			tx, err := db.BeginTx(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			txs = append(txs, tx)
		}
		for i, tx := range txs {
			for pragma, want := range map[string]string{
				"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1", "temp_store": "2",
			} {
				var got string
				if err := tx.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("connection %d: %s = %s, want %s", i, pragma, got, want)
				}
			}
		}
		for _, tx := range txs {
			_ = tx.Rollback()
		}
	})

	t.Run("WriteTransactionsBeginImmediate", func(t *testing.T) {
		db := NewDB(filepath.Join(t.TempDir(), "i.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		other := NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		tx, err := db.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		// Without a single statement run, tx holds the write lock: another
		// writer waits for it (here until its context gives up).
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		if tx2, err := other.BeginTx(ctx, nil); err == nil {
			tx2.Rollback()
			t.Fatal("a second writer began while the first held the lock")
		}
		if time.Since(start) < 100*time.Millisecond {
			t.Fatal("the second writer failed at once instead of waiting (busy timeout)")
		}
	})

	t.Run("MigrationsAppliedOnceInOrder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		for i := 0; i < 2; i++ {
			db := NewDB(path)
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			var names []string
			rows, err := db.db.Query(`SELECT name FROM migrations ORDER BY rowid`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n string
				_ = rows.Scan(&n)
				names = append(names, n)
			}
			rows.Close()
			files, _ := fs.Glob(migrationFS, "migrations/*.sql")
			if len(names) != len(files) || names[0] != "migrations/0001_init.sql" || names[len(names)-1] != files[len(files)-1] {
				t.Fatalf("open %d: migrations %v, files %v", i, names, files)
			}
			var idx int
			_ = db.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'people_name_unit'`).Scan(&idx)
			if idx != 0 {
				t.Fatal("0002 not applied")
			}
			db.Close()
		}
	})

	t.Run("TwoProcessesOpenTheSameNewFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "race.db")
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db := NewDB(path)
				errs <- db.Open()
				db.Close()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestTimes(t *testing.T) {
	t.Run("RoundTripExactly", func(t *testing.T) {
		loc := time.FixedZone("ICT", 7*3600)
		for _, v := range []time.Time{
			time.Date(2024, 3, 28, 8, 0, 0, 123456789, loc),
			time.Date(1999, 12, 31, 23, 59, 59, 1, time.UTC),
			time.Now(), // with a monotonic reading
		} {
			got := tm(ts(v))
			if !got.Equal(v) || got.Location() != time.UTC {
				t.Errorf("tm(ts(%v)) = %v", v, got)
			}
		}
	})
	t.Run("ZeroIsUnset", func(t *testing.T) {
		if ts(time.Time{}) != 0 || !tm(0).IsZero() {
			t.Fatal("zero time must be stored as 0 and read back as zero")
		}
	})
}

// TestStatementCacheNeverWaitsForAConnection holds every connection of the
// pool in open transactions, each running a query never seen before: each
// must run on its own connection. Preparing through the pool while holding
// the cache's lock (as the cache once did) hung here for good.
func TestStatementCacheNeverWaitsForAConnection(t *testing.T) {
	db := NewDB(filepath.Join(t.TempDir(), "s.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const conns = 4 // the pool's size (Open)
	var txs []*Tx
	for i := 0; i < conns; i++ {
		opts := readOnly
		if i == 0 {
			opts = nil
		}
		tx, err := db.BeginTx(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	query := func(i int) string { return "SELECT " + string(rune('1'+i)) + " + count(*) FROM migrations" }
	done := make(chan error, conns)
	for i, tx := range txs {
		go func() {
			var n int
			err := tx.QueryRowContext(ctx, query(i)).Scan(&n)
			done <- err
		}()
	}
	for range txs {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a transaction's query waited for a connection held by another transaction")
		}
	}
	for _, tx := range txs {
		tx.Rollback()
	}
	// Once connections are free, the statements are prepared and cached.
	deadline := time.Now().Add(5 * time.Second)
	for {
		db.stmtMu.Lock()
		n := 0
		for i := 0; i < conns; i++ {
			if db.stmts[query(i)] != nil {
				n++
			}
		}
		db.stmtMu.Unlock()
		if n == conns {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d statements cached after the transactions ended", n, conns)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tx, err := db.BeginTx(ctx, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, query(0)).Scan(&n); err != nil || n < 1 {
		t.Fatalf("cached statement: n=%d err=%v", n, err)
	}
}

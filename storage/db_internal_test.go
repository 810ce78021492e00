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

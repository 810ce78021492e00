package storage_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/convene/convene/storage"
)

func TestStateService(t *testing.T) {
	t.Run("GetSetDelete", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ss := storage.NewStateService(db)
		if v, err := ss.GetState(ctx(), "telegram.username"); err != nil || v != "" {
			t.Fatalf("empty: %q %v", v, err)
		}
		_ = ss.SetState(ctx(), "telegram.username", "convene_bot")
		_ = ss.SetState(ctx(), "telegram.username", "hop_bot")
		_ = ss.SetState(ctx(), "telegram.offset", "100")
		if v, _ := ss.GetState(ctx(), "telegram.username"); v != "hop_bot" {
			t.Fatalf("got %q", v)
		}
		if err := ss.SetState(ctx(), "telegram.username", ""); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.GetState(ctx(), "telegram.username"); v != "" {
			t.Fatalf("after delete %q", v)
		}
		if v, _ := ss.GetState(ctx(), "telegram.offset"); v != "100" {
			t.Fatalf("other key %q", v)
		}
	})

	t.Run("SeenUpdateOncePerChannel", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ss := storage.NewStateService(db)
		first, _ := ss.SeenUpdate(ctx(), "telegram", "100")
		second, _ := ss.SeenUpdate(ctx(), "telegram", "100")
		otherChannel, _ := ss.SeenUpdate(ctx(), "zalo", "100")
		if first || !second || otherChannel {
			t.Fatalf("seen: %v %v %v", first, second, otherChannel)
		}
	})

	t.Run("SeenUpdateOnceAcrossProcesses", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		other := storage.NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		var fresh atomic.Int32
		var wg sync.WaitGroup
		for i, h := range []*storage.DB{db, other, db, other, db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seen, err := storage.NewStateService(h).SeenUpdate(ctx(), "telegram", "42")
				if err != nil {
					t.Error(i, err)
				} else if !seen {
					fresh.Add(1)
				}
			}()
		}
		wg.Wait()
		if fresh.Load() != 1 {
			t.Fatalf("update handled %d times", fresh.Load())
		}
	})
}

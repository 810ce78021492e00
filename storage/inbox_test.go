package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// storeUpdate stores one update for chat "c1" and reports whether it was new.
func storeUpdate(db *storage.DB, channel, bot, id string) (bool, error) {
	n, err := storage.NewInboxService(db).StoreUpdates(ctx(), []*convene.InboxUpdate{{Channel: channel, BotID: bot, UpdateID: id, ChatKey: channel + ":c1", Payload: []byte("{}")}})
	return n == 1, err
}

func TestInbox(t *testing.T) {
	t.Run("StoredOncePerChannelAndBot", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		first, _ := storeUpdate(db, "telegram", "1", "100")
		again, _ := storeUpdate(db, "telegram", "1", "100")
		otherChannel, _ := storeUpdate(db, "zalo", "1", "100")
		otherBot, _ := storeUpdate(db, "telegram", "2", "100")
		if !first || again || !otherChannel || !otherBot {
			t.Fatalf("new: first %v, again %v, other channel %v, other bot %v", first, again, otherChannel, otherBot)
		}
	})

	t.Run("StoredOnceAcrossProcesses", func(t *testing.T) {
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
				ok, err := storeUpdate(h, "telegram", "1", "42")
				if err != nil {
					t.Error(i, err)
				} else if ok {
					fresh.Add(1)
				}
			}()
		}
		wg.Wait()
		if fresh.Load() != 1 {
			t.Fatalf("update stored %d times", fresh.Load())
		}
	})

	t.Run("InvalidStoresNothing", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		in := storage.NewInboxService(db)
		_, err := in.StoreUpdates(ctx(), []*convene.InboxUpdate{{Channel: "telegram", UpdateID: "1", ChatKey: "a"}, {Channel: "telegram", UpdateID: "2"}})
		if convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err %v", err)
		}
		if w, _, _ := in.InboxCounts(ctx()); w != 0 {
			t.Fatalf("%d stored", w)
		}
	})

	t.Run("OneHeadPerChatInOrder", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		in := storage.NewInboxService(db)
		var us []*convene.InboxUpdate
		for i, chat := range []string{"a", "b", "a", "c", "b"} {
			us = append(us, &convene.InboxUpdate{Channel: "telegram", UpdateID: fmt.Sprint(i), ChatKey: chat, Payload: []byte(fmt.Sprint(i))})
		}
		if n, err := in.StoreUpdates(ctx(), us); err != nil || n != 5 {
			t.Fatal(n, err)
		}
		heads := func() string {
			got, err := in.DueUpdates(ctx(), 10)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, u := range got {
				s += u.UpdateID
			}
			return s
		}
		if h := heads(); h != "013" {
			t.Fatalf("heads %q, want 0 1 3 (the oldest of a, b, c)", h)
		}
		// Chat a's head fails: a waits for it (order), the others go on.
		if err := in.RetryUpdate(ctx(), us[0].ID, clock.Now().Add(time.Minute), "busy"); err != nil {
			t.Fatal(err)
		}
		if err := in.MarkUpdateDone(ctx(), us[1].ID); err != nil {
			t.Fatal(err)
		}
		if h := heads(); h != "34" {
			t.Fatalf("heads %q, want 3 4 (a's head not due, b's next)", h)
		}
		clock.Add(time.Minute)
		if h := heads(); h != "034" {
			t.Fatalf("heads %q after the retry delay", h)
		}
		if err := in.MarkUpdateDone(ctx(), us[1].ID); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("done twice: %v", err)
		}
		if err := in.ParkUpdate(ctx(), us[0].ID, "always fails"); err != nil {
			t.Fatal(err)
		}
		if h := heads(); h != "234" {
			t.Fatalf("heads %q after parking a's head", h)
		}
		if w, d, _ := in.InboxCounts(ctx()); w != 3 || d != 1 {
			t.Fatalf("waiting %d dead %d", w, d)
		}
	})

	t.Run("DoneClearsPayloadAndPrunesAfter48h", func(t *testing.T) {
		db, clock := MustOpenDB(t)
		in := storage.NewInboxService(db)
		u := &convene.InboxUpdate{Channel: "telegram", BotID: "1", UpdateID: "7", ChatKey: "a", Payload: []byte(`{"text":"secret answer"}`)}
		if _, err := in.StoreUpdates(ctx(), []*convene.InboxUpdate{u}); err != nil {
			t.Fatal(err)
		}
		if err := in.MarkUpdateDone(ctx(), u.ID); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var payload []byte
		if err := raw.QueryRow(`SELECT payload FROM inbox WHERE id = ?`, u.ID).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if payload != nil {
			t.Fatalf("payload kept: %q", payload)
		}
		clock.Add(47 * time.Hour)
		if n, _ := in.PruneInbox(ctx(), clock.Now().Add(-48*time.Hour)); n != 0 {
			t.Fatalf("pruned %d before 48 h", n)
		}
		if again, _ := storeUpdate(db, "telegram", "1", "7"); again {
			t.Fatal("a repeat within 48 h was stored again")
		}
		clock.Add(2 * time.Hour)
		if n, _ := in.PruneInbox(ctx(), clock.Now().Add(-48*time.Hour)); n != 1 {
			t.Fatalf("pruned %d after 48 h", n)
		}
		// Telegram reuses ids after a week without updates: a new update with an old id is stored.
		if fresh, _ := storeUpdate(db, "telegram", "1", "7"); !fresh {
			t.Fatal("an id seen more than 48 h ago was dropped as a repeat")
		}
	})
}

func TestInTx(t *testing.T) {
	t.Run("CommitsAllOrNothing", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ss := storage.NewStateService(db)
		boom := errors.New("boom")
		err := db.InTx(ctx(), func(ctx context.Context) error {
			if err := ss.SetState(ctx, "a", "1"); err != nil {
				return err
			}
			if v, _ := ss.GetState(ctx, "a"); v != "1" {
				t.Errorf("a read in the transaction sees %q, not its own write", v)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if v, _ := ss.GetState(ctx(), "a"); v != "" {
			t.Fatalf("rolled back write is visible: %q", v)
		}
		if err := db.InTx(ctx(), func(ctx context.Context) error { return ss.SetState(ctx, "a", "2") }); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.GetState(ctx(), "a"); v != "2" {
			t.Fatalf("committed write: %q", v)
		}
	})

	t.Run("FailedCallLeavesNothingBehind", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		in := storage.NewInboxService(db)
		err := db.InTx(ctx(), func(ctx context.Context) error {
			// The second update is invalid: the call fails, and its first
			// update must not be stored although the transaction commits.
			_, err := in.StoreUpdates(ctx, []*convene.InboxUpdate{{Channel: "telegram", UpdateID: "1", ChatKey: "a"}, {Channel: "telegram", UpdateID: "1", ChatKey: "a"}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = in.StoreUpdates(ctx, []*convene.InboxUpdate{{Channel: "telegram", UpdateID: "2", ChatKey: "a"}})
			if err != nil {
				t.Fatal(err)
			}
			err = in.MarkUpdateDone(ctx, 12345)
			if convene.ErrorCode(err) != convene.ENOTFOUND {
				t.Errorf("done of a missing update: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if w, _, _ := in.InboxCounts(ctx()); w != 2 {
			t.Fatalf("%d stored, want 2", w)
		}
	})

	t.Run("WritersQueueInProcess", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ss := storage.NewStateService(db)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					err := db.InTx(ctx(), func(ctx context.Context) error {
						v, _ := ss.GetState(ctx, "n")
						var n int
						fmt.Sscan(v, &n)
						return ss.SetState(ctx, "n", fmt.Sprint(n+1))
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if v, _ := ss.GetState(ctx(), "n"); v != "400" {
			t.Fatalf("counter %s after 400 increments: lost updates", v)
		}
	})
}

func TestLease(t *testing.T) {
	db, clock := MustOpenDB(t)
	ls := storage.NewLeaseService(db)
	if err := ls.AcquireLease(ctx(), "serve", "A", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := ls.AcquireLease(ctx(), "serve", "A", time.Minute); err != nil {
		t.Fatalf("renew: %v", err)
	}
	err := ls.AcquireLease(ctx(), "serve", "B", time.Minute)
	if convene.ErrorCode(err) != convene.ECONFLICT {
		t.Fatalf("second holder: %v", err)
	}
	clock.Add(2 * time.Minute)
	if err := ls.AcquireLease(ctx(), "serve", "B", time.Minute); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if err := ls.ReleaseLease(ctx(), "serve", "A"); err != nil {
		t.Fatal(err)
	}
	if err := ls.AcquireLease(ctx(), "serve", "A", time.Minute); convene.ErrorCode(err) != convene.ECONFLICT {
		t.Fatalf("A's release freed B's lease: %v", err)
	}
	if err := ls.ReleaseLease(ctx(), "serve", "B"); err != nil {
		t.Fatal(err)
	}
	if err := ls.AcquireLease(ctx(), "serve", "A", time.Minute); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

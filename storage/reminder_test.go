package storage_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestReminderService(t *testing.T) {
	t.Run("FiringRecordedOnce", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		rs := storage.NewReminderService(db)
		acc := mustAccount(t, db, "1", 0)
		at := m.StartsAt.Add(-24 * time.Hour)
		f := &convene.Firing{Job: "reminder", Rule: 1, MeetingID: m.ID, ScheduledFor: at}
		if err := rs.RecordFiring(ctx(), f, []*convene.OutboxMessage{msg(acc, "r1")}); err != nil {
			t.Fatal(err)
		}
		if f.ID == 0 || f.Count != 1 || !f.FiredAt.Equal(c.Now()) {
			t.Fatalf("firing %+v", f)
		}
		err := rs.RecordFiring(ctx(), &convene.Firing{Job: "reminder", Rule: 1, MeetingID: m.ID, ScheduledFor: at}, []*convene.OutboxMessage{msg(acc, "r2")})
		if convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("second firing: %v", err)
		}
		if d, _ := storage.NewOutboxService(db).QueueDepth(ctx()); d != 1 {
			t.Fatalf("a refused firing enqueued messages: depth %d", d)
		}
		last, err := rs.LastFiring(ctx(), "reminder", m.ID, 1)
		if err != nil || !last.ScheduledFor.Equal(at) || last.Status != "sent" {
			t.Fatalf("last: %+v %v", last, err)
		}
		if _, err := rs.LastFiring(ctx(), "digest", m.ID, 0); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("no firing: %v", err)
		}
	})

	t.Run("TwoProcessesCannotDoubleFire", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		acc := mustAccount(t, db, "1", 0)
		other := storage.NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		services := []*storage.ReminderService{storage.NewReminderService(db), storage.NewReminderService(other)}
		var ok atomic.Int32
		var wg sync.WaitGroup
		at := m.StartsAt.Add(-time.Hour)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(rs *storage.ReminderService) {
				defer wg.Done()
				err := rs.RecordFiring(ctx(), &convene.Firing{Job: "reminder", Rule: 2, MeetingID: m.ID, ScheduledFor: at},
					[]*convene.OutboxMessage{msg(acc, "same-key")})
				switch convene.ErrorCode(err) {
				case "":
					ok.Add(1)
				case convene.ECONFLICT:
				default:
					t.Error(err)
				}
			}(services[i%2])
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d firings recorded, want 1", ok.Load())
		}
	})
}

func TestConversationService(t *testing.T) {
	db, c := MustOpenDB(t)
	cs := storage.NewConversationService(db)
	acc := mustAccount(t, db, "1", 0)
	if _, err := cs.FindConversation(ctx(), acc.ID); convene.ErrorCode(err) != convene.ENOTFOUND {
		t.Fatalf("none yet: %v", err)
	}
	conv := &convene.Conversation{AccountID: acc.ID, Flow: "feedback", Step: "1", Data: map[string]string{"a.strengths": "Chuẩn bị chu đáo"}}
	if err := cs.SaveConversation(ctx(), conv); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	conv.Step = "2"
	if err := cs.SaveConversation(ctx(), conv); err != nil {
		t.Fatal(err)
	}
	got, err := cs.FindConversation(ctx(), acc.ID)
	if err != nil || got.Step != "2" || got.Data["a.strengths"] != "Chuẩn bị chu đáo" || !got.UpdatedAt.Equal(c.Now()) {
		t.Fatalf("got %+v %v", got, err)
	}
	if err := cs.DeleteConversation(ctx(), acc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.FindConversation(ctx(), acc.ID); convene.ErrorCode(err) != convene.ENOTFOUND {
		t.Fatal("not deleted")
	}
	if err := cs.SaveConversation(ctx(), &convene.Conversation{AccountID: acc.ID}); convene.ErrorCode(err) != convene.EINVALID {
		t.Fatal("a conversation without flow was saved")
	}
}

func TestStateService(t *testing.T) {
	db, _ := MustOpenDB(t)
	ss := storage.NewStateService(db)
	if v, err := ss.GetState(ctx(), "telegram.username"); err != nil || v != "" {
		t.Fatalf("empty: %q %v", v, err)
	}
	_ = ss.SetState(ctx(), "telegram.username", "convene_bot")
	_ = ss.SetState(ctx(), "telegram.username", "hop_bot")
	if v, _ := ss.GetState(ctx(), "telegram.username"); v != "hop_bot" {
		t.Fatalf("got %q", v)
	}
	first, _ := ss.SeenUpdate(ctx(), "telegram", "100")
	second, _ := ss.SeenUpdate(ctx(), "telegram", "100")
	otherChannel, _ := ss.SeenUpdate(ctx(), "zalo", "100")
	if first || !second || otherChannel {
		t.Fatalf("seen: %v %v %v", first, second, otherChannel)
	}
}

func TestAuditService(t *testing.T) {
	db, _ := MustOpenDB(t)
	as := storage.NewAuditService(db)
	for i, a := range []string{"invite", "grant", "broadcast"} {
		if err := as.RecordAudit(ctx(), &convene.AuditEntry{Actor: "telegram:1", Action: a, MeetingID: int64(i % 2)}); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := as.FindAudit(ctx(), 0, 10)
	if len(all) != 3 || all[0].Action != "broadcast" {
		t.Fatalf("all: %+v", all)
	}
	one, _ := as.FindAudit(ctx(), 1, 10)
	if len(one) != 1 || one[0].Action != "grant" {
		t.Fatalf("meeting 1: %+v", one)
	}
	if err := as.RecordAudit(ctx(), &convene.AuditEntry{Action: "x"}); convene.ErrorCode(err) != convene.EINVALID {
		t.Fatal("entry without actor accepted")
	}
}

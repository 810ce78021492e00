package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// clock is a controllable time source.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time      { return c.t }
func (c *clock) Add(d time.Duration) { c.t = c.t.Add(d) }
func (c *clock) Set(t time.Time)     { c.t = t }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func mustTime(s string) time.Time    { t, _ := time.Parse(time.RFC3339, s); return t }
func ctx() context.Context           { return context.Background() }
func ptr[T any](v T) *T              { return &v }

// MustOpenDB opens a database in a temporary directory with a controlled clock.
func MustOpenDB(tb testing.TB) (*storage.DB, *clock) {
	tb.Helper()
	c := newClock(mustTime("2024-03-01T02:00:00Z"))
	db := storage.NewDB(filepath.Join(tb.TempDir(), "test.db"))
	db.Now = c.Now
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { MustCloseDB(tb, db) })
	return db, c
}

// MustCloseDB closes db.
func MustCloseDB(tb testing.TB, db *storage.DB) {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
}

// seedPlan is meeting chi-bo-01 of plan 82-KH/ĐU with three categories.
func seedPlan() *convene.Plan {
	return &convene.Plan{Meetings: []convene.PlanMeeting{{
		Meeting: convene.Meeting{
			Code: "chi-bo-01", Title: `Hội nghị "sinh hoạt chi bộ thường kỳ" mẫu`, Kind: convene.KindRegular,
			Host: "Chi bộ 01 – Đảng bộ Trường Cao đẳng Lý Tự Trọng TP.HCM", Timezone: "Asia/Ho_Chi_Minh",
			StartsAt: mustTime("2024-03-28T01:00:00Z"), EndsAt: mustTime("2024-03-28T04:30:00Z"),
			Venue: "Hội trường Trường Cao đẳng Lý Tự Trọng", Address: "390 Hoàng Văn Thụ, Phường 4, Quận Tân Bình",
			RSVPDeadline: mustTime("2024-03-26T10:00:00Z"),
		},
		Categories: []convene.Category{
			{Code: "thanh-uy", Name: "Đại diện Thường trực Thành ủy"},
			{Code: "cap-uy-co-so", Name: "Cấp ủy đảng bộ, chi bộ cơ sở", Quota: 2},
			{Code: "dang-vien", Name: "Đảng viên chi bộ thực hiện sinh hoạt mẫu"},
		},
		Reminders: []convene.ReminderRule{
			{Key: "before:24h:all", Kind: convene.RuleBefore, Before: 24 * time.Hour, Audience: convene.AudienceAll},
			{Key: "cron:0 8 * * *:pending", Kind: convene.RuleCron, Cron: "0 8 * * *", Audience: convene.AudiencePending},
		},
	}}}
}

func seedRoster() []convene.RosterEntry {
	return []convene.RosterEntry{
		{Row: 2, FullName: "Nguyễn Văn An", Title: "Bí thư", Unit: "Chi bộ 01", Category: "dang-vien", Phone: "+84912345678", Role: convene.RoleOrganizer},
		{Row: 3, FullName: "Trần Thị Bình", Unit: "Chi bộ 01", Category: "Đảng viên chi bộ thực hiện sinh hoạt mẫu", Phone: "+84912345679"},
		{Row: 4, FullName: "Lê Đức Cường", Unit: "Thành ủy", Category: "thanh-uy", TelegramID: 4242},
		{Row: 5, FullName: "Phạm Thu Dung", Unit: "Trường Lý Tự Trọng", Category: "cap-uy-co-so"},
	}
}

// MustSeed applies the seed plan and roster and returns the meeting.
func MustSeed(tb testing.TB, db *storage.DB) *convene.Meeting {
	tb.Helper()
	if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), seedPlan()); err != nil {
		tb.Fatal(err)
	}
	if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", seedRoster()); err != nil {
		tb.Fatal(err)
	}
	m, err := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// MustInvitee returns the invitee of the meeting with that name.
func MustInvitee(tb testing.TB, db *storage.DB, meetingID int64, name string) *convene.Invitee {
	tb.Helper()
	invs, _, err := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: meetingID, Name: name})
	if err != nil || len(invs) != 1 {
		tb.Fatalf("invitee %q: %v, %d found", name, err, len(invs))
	}
	return invs[0]
}

func TestDB(t *testing.T) {
	t.Run("ReopenKeepsDataAndSkipsAppliedMigrations", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		db := storage.NewDB(path)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		if err := storage.NewStateService(db).SetState(ctx(), "k", "v"); err != nil {
			t.Fatal(err)
		}
		MustCloseDB(t, db)
		db = storage.NewDB(path)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, db)
		if v, _ := storage.NewStateService(db).GetState(ctx(), "k"); v != "v" {
			t.Fatalf("after reopen got %q", v)
		}
	})

	t.Run("OpenFailsOnUnwritablePath", func(t *testing.T) {
		db := storage.NewDB(filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
		if err := db.Open(); err == nil {
			t.Fatal("opened a database in a missing directory")
		}
		if err := db.Close(); err != nil {
			t.Fatalf("close after a failed open: %v", err)
		}
	})

	t.Run("TwoHandlesWriteConcurrently", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		other := storage.NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		var wg sync.WaitGroup
		for w, h := range []*storage.DB{db, other, db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					if _, err := storeUpdate(h, "telegram", "1", fmt.Sprint(w, ":", i)); err != nil {
						t.Error(err) // SQLITE_BUSY would show here
						return
					}
				}
			}()
		}
		wg.Wait()
		for w := 0; w < 4; w++ {
			if fresh, _ := storeUpdate(db, "telegram", "1", fmt.Sprint(w, ":49")); fresh {
				t.Fatalf("writer %d's last update was lost", w)
			}
		}
	})

	t.Run("BackupWhileWriting", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		stop, done := make(chan struct{}), make(chan struct{})
		var writes atomic.Int32
		go func() {
			defer close(done)
			st := storage.NewStateService(db)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := st.SetState(ctx(), fmt.Sprint("n", i%10), fmt.Sprint(i)); err != nil {
					t.Error(err)
					return
				}
				writes.Add(1)
			}
		}()
		for writes.Load() < 20 {
			time.Sleep(time.Millisecond)
		}
		path := filepath.Join(t.TempDir(), "backup.db")
		err := db.Backup(ctx(), path)
		close(stop)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("backup integrity: %q %v", check, err)
		}
		raw.Close()
		b := storage.NewDB(path)
		if err := b.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, b)
		got, err := storage.NewMeetingService(b).FindMeetingByCode(ctx(), "chi-bo-01")
		if err != nil || got.ID != m.ID {
			t.Fatalf("backup lacks the meeting: %v", err)
		}
		_, total, _ := storage.NewInvitationService(b).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
		if total != 4 {
			t.Fatalf("backup has %d invitees, want 4", total)
		}
		if err := db.Backup(ctx(), path); err == nil {
			t.Fatal("backup overwrote an existing file")
		}
	})
}

package storage_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestOutboxService(t *testing.T) {
	setup := func(t *testing.T) (*storage.DB, *clock, *storage.OutboxService, *convene.Account) {
		db, c := MustOpenDB(t)
		return db, c, storage.NewOutboxService(db), mustAccount(t, db, "7", 0)
	}

	t.Run("EnqueueIsIdempotentByKey", func(t *testing.T) {
		_, _, os, acc := setup(t)
		n, err := os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "a"), msg(acc, "b")})
		if err != nil || n != 2 {
			t.Fatalf("first: %d %v", n, err)
		}
		n, err = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "a"), msg(acc, "c")})
		if err != nil || n != 1 {
			t.Fatalf("second: %d new, want 1 (%v)", n, err)
		}
		if d, _ := os.QueueDepth(ctx()); d != 3 {
			t.Fatalf("depth %d", d)
		}
	})

	t.Run("InvalidMessageRejected", func(t *testing.T) {
		_, _, os, acc := setup(t)
		bad := msg(acc, "")
		if _, err := os.Enqueue(ctx(), []*convene.OutboxMessage{bad}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ClaimDueMarksSendingBeforeReturn", func(t *testing.T) {
		db, c, os, acc := setup(t)
		m := msg(acc, "a")
		m.Content.Buttons = [][]convene.Button{{{Text: "Tham dự", Data: "rsvp:1:a"}}}
		m.Content.Document = &convene.File{Name: "x.ics", Data: []byte("BEGIN:VCALENDAR")}
		later := msg(acc, "later")
		later.NextAttemptAt = c.Now().Add(time.Minute)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{m, later})
		got, err := os.ClaimDue(ctx(), []string{"telegram"}, 10)
		if err != nil || len(got) != 1 || got[0].Key != "a" || got[0].State != convene.OutboxSending || got[0].Attempts != 1 {
			t.Fatalf("claim: %+v %v", got, err)
		}
		if got[0].Content.Buttons[0][0].Data != "rsvp:1:a" || string(got[0].Content.Document.Data) != "BEGIN:VCALENDAR" {
			t.Fatalf("content round trip: %+v", got[0].Content)
		}
		// A second handle on the file sees the row as sending: it was committed.
		other := storage.NewDB(db.DSN)
		other.Now = c.Now
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		if again, _ := storage.NewOutboxService(other).ClaimDue(ctx(), nil, 10); len(again) != 0 {
			t.Fatalf("claimed twice: %d", len(again))
		}
		if next, _ := os.NextDue(ctx(), nil); !next.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("next due %v", next)
		}
		if got, _ := os.ClaimDue(ctx(), []string{"zalo"}, 10); len(got) != 0 {
			t.Fatal("claimed for another channel")
		}
	})

	t.Run("ClaimDueOldestDueFirst", func(t *testing.T) {
		_, c, os, acc := setup(t)
		a, b, d := msg(acc, "a"), msg(acc, "b"), msg(acc, "d")
		a.NextAttemptAt = c.Now().Add(-time.Minute) // due earlier, enqueued first
		d.NextAttemptAt = c.Now().Add(-time.Hour)   // due earliest, enqueued last
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{b, a, d})
		got := mustClaim(t, os, 2)
		if len(got) != 2 || got[0].Key != "d" || got[1].Key != "a" {
			t.Fatalf("claimed %v", keys(got))
		}
		if got := mustClaim(t, os, 2); len(got) != 1 || got[0].Key != "b" {
			t.Fatalf("then %v", keys(got))
		}
		if got, err := os.ClaimDue(ctx(), nil, 0); err != nil || len(got) != 0 {
			t.Fatalf("limit 0: %v %v", keys(got), err)
		}
	})

	t.Run("ChannelFilter", func(t *testing.T) {
		db, _, os, acc := setup(t)
		z, _ := storage.NewPersonService(db).TouchAccount(ctx(), &convene.Account{Channel: "zalo", UserID: "z", ChatID: "z"})
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "tg"), msg(z, "zl")})
		if next, _ := os.NextDue(ctx(), []string{"console"}); !next.IsZero() {
			t.Fatal("next due for a channel without messages")
		}
		if got, _ := os.ClaimDue(ctx(), []string{}, 10); len(got) != 0 {
			t.Fatal("an empty channel list claimed messages")
		}
		if got, _ := os.ClaimDue(ctx(), []string{"zalo", "console"}, 10); len(got) != 1 || got[0].Key != "zl" {
			t.Fatalf("zalo claimed %v", keys(got))
		}
		if got, _ := os.ClaimDue(ctx(), nil, 10); len(got) != 1 || got[0].Key != "tg" {
			t.Fatalf("nil claimed %v", keys(got))
		}
	})

	t.Run("NextDueZeroWhenNothingQueued", func(t *testing.T) {
		_, c, os, acc := setup(t)
		if next, err := os.NextDue(ctx(), nil); err != nil || !next.IsZero() {
			t.Fatalf("empty: %v %v", next, err)
		}
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "a")})
		if next, _ := os.NextDue(ctx(), nil); !next.Equal(c.Now()) {
			t.Fatalf("due now, got %v", next)
		}
		mustClaim(t, os, 1)
		if next, _ := os.NextDue(ctx(), nil); !next.IsZero() {
			t.Fatal("a message being sent is not queued")
		}
	})

	t.Run("Outcomes", func(t *testing.T) {
		db, c, os, acc := setup(t)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "sent"), msg(acc, "retry"), msg(acc, "fail"), msg(acc, "gone")})
		for _, m := range mustClaim(t, os, 4) {
			switch m.Key {
			case "sent":
				_ = os.MarkSent(ctx(), m.ID, "99")
			case "retry":
				_ = os.MarkRetry(ctx(), m.ID, c.Now().Add(time.Minute), "502")
			case "fail":
				_ = os.MarkFailed(ctx(), m.ID, "400 bad request")
			case "gone":
				_ = os.MarkUnreachable(ctx(), m.ID, "403 blocked")
			}
		}
		if got := mustClaim(t, os, 10); len(got) != 0 {
			t.Fatal("retry claimed before its time")
		}
		c.Add(time.Minute)
		if got := mustClaim(t, os, 10); len(got) != 1 || got[0].Key != "retry" || got[0].Attempts != 2 || got[0].Error != "502" {
			t.Fatalf("retry: %+v", got)
		}
		a, _ := storage.NewPersonService(db).FindAccountByID(ctx(), acc.ID)
		if a.Reachable {
			t.Fatal("unreachable message did not flag the account")
		}
		for name, err := range map[string]error{
			"MarkSent":        os.MarkSent(ctx(), 12345, "x"),
			"MarkRetry":       os.MarkRetry(ctx(), 12345, c.Now(), "x"),
			"MarkFailed":      os.MarkFailed(ctx(), 12345, "x"),
			"MarkUnreachable": os.MarkUnreachable(ctx(), 12345, "x"),
		} {
			if convene.ErrorCode(err) != convene.ENOTFOUND {
				t.Errorf("%s of an unknown id: %v", name, err)
			}
		}
		st, _ := os.BatchStats(ctx(), "")
		if st.Sent != 1 || st.Failed != 1 || st.Unreachable != 1 || st.Sending != 1 {
			t.Fatalf("states %+v", st)
		}
		var provider string
		var sentAt int64
		_ = rawDB(t, db).QueryRow(`SELECT provider_message_id, sent_at FROM outbox WHERE key = 'sent'`).Scan(&provider, &sentAt)
		if provider != "99" || sentAt != c.Now().Add(-time.Minute).UnixNano() {
			t.Fatalf("sent row: provider %q at %d", provider, sentAt)
		}
	})

	t.Run("RequeueSendingAfterCrash", func(t *testing.T) {
		db, c, os, acc := setup(t)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "a"), msg(acc, "b")})
		claimed := mustClaim(t, os, 1)
		// A new process on the same file finds the row left sending.
		other := storage.NewDB(db.DSN)
		other.Now = c.Now
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		c.Add(time.Minute)
		got, err := storage.NewOutboxService(other).RequeueSending(ctx(), time.Now().Add(time.Hour))
		if err != nil || len(got) != 1 || got[0].ID != claimed[0].ID || got[0].State != convene.OutboxQueued || !got[0].NextAttemptAt.Equal(claimed[0].NextAttemptAt) {
			t.Fatalf("requeue: %+v %v", got, err)
		}
		if again, _ := os.RequeueSending(ctx(), time.Now().Add(time.Hour)); len(again) != 0 {
			t.Fatalf("requeued twice: %d", len(again))
		}
		if again := mustClaim(t, os, 10); len(again) != 2 || again[0].ID != claimed[0].ID || again[0].Attempts != 2 {
			t.Fatalf("after requeue: %+v", again)
		}
	})

	t.Run("BatchStatsAndFinishOnce", func(t *testing.T) {
		_, _, os, acc := setup(t)
		var ms []*convene.OutboxMessage
		for i := 0; i < 3; i++ {
			m := msg(acc, fmt.Sprint("k", i))
			m.Batch = "bc:1"
			ms = append(ms, m)
		}
		_, _ = os.Enqueue(ctx(), ms)
		st, _ := os.BatchStats(ctx(), "bc:1")
		if st.Queued != 3 || st.Done() {
			t.Fatalf("stats %+v", st)
		}
		got := mustClaim(t, os, 3)
		_ = os.MarkSent(ctx(), got[0].ID, "1")
		_ = os.MarkSent(ctx(), got[1].ID, "2")
		_ = os.MarkUnreachable(ctx(), got[2].ID, "blocked")
		st, _ = os.BatchStats(ctx(), "bc:1")
		if st.Sent != 2 || st.Unreachable != 1 || !st.Done() || len(st.Unreached) != 1 || st.Unreached[0] != acc.ID {
			t.Fatalf("stats %+v", st)
		}
		first, _ := os.FinishBatch(ctx(), "bc:1")
		second, _ := os.FinishBatch(ctx(), "bc:1")
		if !first || second {
			t.Fatalf("finish: %v then %v", first, second)
		}
	})

	t.Run("ConcurrentClaimersNeverShareAMessage", func(t *testing.T) {
		db, _, os, acc := setup(t)
		var ms []*convene.OutboxMessage
		for i := 0; i < 200; i++ {
			ms = append(ms, msg(acc, fmt.Sprint("m", i)))
		}
		_, _ = os.Enqueue(ctx(), ms)
		other := storage.NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		services := []*storage.OutboxService{os, storage.NewOutboxService(other)}
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(s *storage.OutboxService) {
				defer wg.Done()
				for {
					got, err := s.ClaimDue(ctx(), nil, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, m := range got {
						if seen[m.ID] {
							t.Errorf("message %d claimed twice", m.ID)
						}
						seen[m.ID] = true
					}
					mu.Unlock()
				}
			}(services[w%2])
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Fatalf("claimed %d of 200", len(seen))
		}
	})
}

func mustClaim(t *testing.T, os *storage.OutboxService, n int) []*convene.OutboxMessage {
	t.Helper()
	got, err := os.ClaimDue(ctx(), nil, n)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func keys(ms []*convene.OutboxMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Key)
	}
	return out
}

package storage_test

import (
	"database/sql"
	"fmt"
	"strings"
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
		m.EditMessageID, m.PartsSent = "41", 1
		later := inChat(msg(acc, "later"), "8")
		later.NextAttemptAt = c.Now().Add(time.Minute)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{m, later})
		got, err := os.ClaimDue(ctx(), []string{"telegram"}, 10)
		if err != nil || len(got) != 1 || got[0].Key != "a" || got[0].State != convene.OutboxSending || got[0].Attempts != 0 {
			t.Fatalf("claim: %+v %v", got, err)
		}
		if got[0].Content.Buttons[0][0].Data != "rsvp:1:a" || string(got[0].Content.Document.Data) != "BEGIN:VCALENDAR" ||
			got[0].EditMessageID != "41" || got[0].PartsSent != 1 {
			t.Fatalf("round trip: %+v", got[0])
		}
		var claimedAt int64
		_ = rawDB(t, db).QueryRow(`SELECT claimed_at FROM outbox WHERE key = 'a'`).Scan(&claimedAt)
		if claimedAt != c.Now().UnixNano() {
			t.Fatalf("claimed_at %d", claimedAt)
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

	t.Run("ClaimDueOnePerChatInOrder", func(t *testing.T) {
		_, c, os, acc := setup(t)
		a1, a2, a3 := msg(acc, "a1"), msg(acc, "a2"), msg(acc, "a3")
		b1 := inChat(msg(acc, "b1"), "8")
		a2.NextAttemptAt = c.Now().Add(-time.Hour) // due earlier, but behind a1 in its chat
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{a1, a2, b1, a3})
		got := mustClaim(t, os, 10)
		if len(got) != 2 || got[0].Key != "a1" || got[1].Key != "b1" {
			t.Fatalf("claimed %v, want the heads a1 b1", keys(got))
		}
		if got := mustClaim(t, os, 10); len(got) != 0 {
			t.Fatalf("claimed %v while the chats' heads are sending", keys(got))
		}
		if next, _ := os.NextDue(ctx(), nil); !next.IsZero() {
			t.Fatalf("next due %v behind a sending head", next)
		}
		_ = os.MarkSent(ctx(), got[0].ID, "1")
		_ = os.Postpone(ctx(), got[1].ID, c.Now().Add(time.Minute), "chat limit")
		if got := mustClaim(t, os, 10); len(got) != 1 || got[0].Key != "a2" {
			t.Fatalf("then %v, want a2", keys(got))
		}
		if next, _ := os.NextDue(ctx(), nil); !next.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("next due %v, want the postponed head b1's", next)
		}
		if got, err := os.ClaimDue(ctx(), nil, 0); err != nil || len(got) != 0 {
			t.Fatalf("limit 0: %v %v", keys(got), err)
		}
	})

	t.Run("ClaimDueInteractiveFirst", func(t *testing.T) {
		_, _, os, acc := setup(t)
		var ms []*convene.OutboxMessage
		for i := 0; i < 5; i++ {
			ms = append(ms, inChat(msg(acc, fmt.Sprint("bulk", i)), fmt.Sprint(100+i)))
		}
		reply := inChat(msg(acc, "reply"), "200")
		reply.Interactive = true
		_, _ = os.Enqueue(ctx(), append(ms, reply))
		got := mustClaim(t, os, 2)
		if len(got) != 2 || got[0].Key != "reply" || !got[0].Interactive || got[1].Key != "bulk0" {
			t.Fatalf("claimed %v, want reply then bulk0", keys(got))
		}
	})

	t.Run("SentReplyKeepsNoText", func(t *testing.T) {
		db, _, os, acc := setup(t)
		reply := inChat(msg(acc, "reply"), "300")
		reply.Interactive, reply.Content.Text = true, "Câu trả lời ẩn danh: tổ chức chu đáo"
		bulk := inChat(msg(acc, "bulk"), "301")
		bulk.Content.Text = "GIẤY MỜI hội nghị"
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{reply, bulk})
		for _, m := range mustClaim(t, os, 10) {
			if err := os.MarkSent(ctx(), m.ID, "1"); err != nil {
				t.Fatal(err)
			}
		}
		raw, err := sql.Open("sqlite", db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var replyText, bulkText string
		_ = raw.QueryRow(`SELECT content FROM outbox WHERE key = 'reply'`).Scan(&replyText)
		_ = raw.QueryRow(`SELECT content FROM outbox WHERE key = 'bulk'`).Scan(&bulkText)
		if strings.Contains(replyText, "ẩn danh") {
			t.Fatalf("a delivered reply kept its text: %s", replyText)
		}
		if !strings.Contains(bulkText, "GIẤY MỜI") {
			t.Fatalf("a delivered invitation lost its text: %s", bulkText)
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
		if n, err := os.QueuedByChannel(ctx()); err != nil || len(n) != 2 || n["telegram"] != 1 || n["zalo"] != 1 {
			t.Fatalf("queued by channel %v %v", n, err)
		}
		if got, _ := os.ClaimDue(ctx(), []string{"zalo", "console"}, 10); len(got) != 1 || got[0].Key != "zl" {
			t.Fatalf("zalo claimed %v", keys(got))
		}
		if got, _ := os.ClaimDue(ctx(), nil, 10); len(got) != 1 || got[0].Key != "tg" {
			t.Fatalf("nil claimed %v", keys(got))
		}
		if n, _ := os.QueuedByChannel(ctx()); len(n) != 0 {
			t.Fatalf("queued by channel after claims %v", n)
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
		gone := mustAccount(t, db, "9", 0)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "sent"), inChat(msg(acc, "retry"), "8"), inChat(msg(acc, "fail"), "10"), msg(gone, "gone")})
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
		if got := mustClaim(t, os, 10); len(got) != 1 || got[0].Key != "retry" || got[0].Attempts != 1 || got[0].Error != "502" {
			t.Fatalf("retry: %+v", got)
		}
		if a, _ := storage.NewPersonService(db).FindAccountByID(ctx(), gone.ID); a.Reachable {
			t.Fatal("unreachable message did not flag the account")
		}
		if a, _ := storage.NewPersonService(db).FindAccountByID(ctx(), acc.ID); !a.Reachable {
			t.Fatal("another account flagged unreachable")
		}
		for name, err := range map[string]error{
			"MarkSent":        os.MarkSent(ctx(), 12345, "x"),
			"MarkRetry":       os.MarkRetry(ctx(), 12345, c.Now(), "x"),
			"Postpone":        os.Postpone(ctx(), 12345, c.Now(), "x"),
			"MarkPartSent":    os.MarkPartSent(ctx(), 12345, 1, "x"),
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

	t.Run("AttemptsCountFailuresOnly", func(t *testing.T) {
		_, c, os, acc := setup(t)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "a")})
		m := mustClaim(t, os, 1)[0]
		_ = os.Postpone(ctx(), m.ID, c.Now(), "429")
		m = mustClaim(t, os, 1)[0]
		if m.Attempts != 0 || m.Error != "429" {
			t.Fatalf("after claim and postpone: attempts %d, error %q", m.Attempts, m.Error)
		}
		_ = os.MarkRetry(ctx(), m.ID, c.Now(), "502")
		m = mustClaim(t, os, 1)[0]
		_ = os.MarkRetry(ctx(), m.ID, c.Now(), "503")
		if m = mustClaim(t, os, 1)[0]; m.Attempts != 2 {
			t.Fatalf("two failures counted as %d", m.Attempts)
		}
	})

	t.Run("PartsSentKept", func(t *testing.T) {
		_, c, os, acc := setup(t)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "long")})
		m := mustClaim(t, os, 1)[0]
		if err := os.MarkPartSent(ctx(), m.ID, 1, "501"); err != nil {
			t.Fatal(err)
		}
		_ = os.Postpone(ctx(), m.ID, c.Now(), "429")
		m = mustClaim(t, os, 1)[0]
		if m.PartsSent != 1 || m.ProviderMessageID != "501" || m.Attempts != 0 {
			t.Fatalf("after a part: %+v", m)
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
		got, err := storage.NewOutboxService(other).RequeueSending(ctx(), c.Now())
		if err != nil || len(got) != 1 || got[0].ID != claimed[0].ID || got[0].State != convene.OutboxQueued || !got[0].NextAttemptAt.Equal(claimed[0].NextAttemptAt) {
			t.Fatalf("requeue: %+v %v", got, err)
		}
		if again, _ := os.RequeueSending(ctx(), c.Now()); len(again) != 0 {
			t.Fatalf("requeued twice: %d", len(again))
		}
		if again := mustClaim(t, os, 10); len(again) != 1 || again[0].ID != claimed[0].ID || again[0].Attempts != 0 {
			t.Fatalf("after requeue: %+v", again)
		}
	})

	t.Run("RequeueSendingOnlyStale", func(t *testing.T) {
		_, c, os, acc := setup(t)
		_, _ = os.Enqueue(ctx(), []*convene.OutboxMessage{msg(acc, "old"), inChat(msg(acc, "new"), "8")})
		old := mustClaim(t, os, 1)[0]
		c.Add(3 * time.Minute)
		fresh := mustClaim(t, os, 1)[0]
		got, err := os.RequeueSending(ctx(), c.Now().Add(-2*time.Minute))
		if err != nil || len(got) != 1 || got[0].ID != old.ID {
			t.Fatalf("requeued %v %v, want only %q", keys(got), err, old.Key)
		}
		if st, _ := os.BatchStats(ctx(), ""); st.Sending != 1 || st.Queued != 1 {
			t.Fatalf("states %+v; %q should still be sending", st, fresh.Key)
		}
	})

	t.Run("BatchStatsAndFinishOnce", func(t *testing.T) {
		_, _, os, acc := setup(t)
		var ms []*convene.OutboxMessage
		for i := 0; i < 3; i++ {
			m := inChat(msg(acc, fmt.Sprint("k", i)), fmt.Sprint(i))
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
			// 50 chats of 4: a chat's next message is claimable once its head is done.
			ms = append(ms, inChat(msg(acc, fmt.Sprint("m", i)), fmt.Sprint(i%50)))
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
		inFlight := map[string]bool{} // chats with a claimed message not yet marked sent
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
					mu.Lock()
					for _, m := range got {
						if seen[m.ID] {
							t.Errorf("message %d claimed twice", m.ID)
						}
						seen[m.ID] = true
						if inFlight[m.ChatID] {
							t.Errorf("chat %s has two sends in flight", m.ChatID)
						}
						inFlight[m.ChatID] = true
					}
					n := len(seen)
					mu.Unlock()
					for _, m := range got {
						mu.Lock()
						inFlight[m.ChatID] = false
						mu.Unlock()
						if err := s.MarkSent(ctx(), m.ID, "1"); err != nil {
							t.Error(err)
							return
						}
					}
					if n == 200 {
						return
					}
				}
			}(services[w%2])
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("claimers still running after 30 s")
		}
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

// inChat sends m to another chat of the same account.
func inChat(m *convene.OutboxMessage, chatID string) *convene.OutboxMessage {
	m.ChatID = chatID
	return m
}

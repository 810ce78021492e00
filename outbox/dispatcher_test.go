package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegramtest"
)

func TestDispatcher(t *testing.T) {
	t.Run("LongTextPartsDeliveredOnceDespite429", func(t *testing.T) {
		e := newEnv(t, 1, telegramLimits)
		var sb strings.Builder
		for i := 0; utf8.RuneCountInString(sb.String()) < 4500; i++ {
			fmt.Fprintf(&sb, "Dòng %d của thông báo dài.\n", i)
		}
		text := strings.TrimSpace(sb.String())
		e.srv.TooManyOnSend(2, 1)
		e.enqueue(t, e.message(0, "long", text))
		e.start(t, e.config())
		e.waitIdle(t, 10*time.Second)
		ms := e.srv.Messages(1001)
		if len(ms) != 2 {
			t.Fatalf("%d messages delivered, want the 2 parts once each", len(ms))
		}
		if got := ms[0].Text + "\n" + ms[1].Text; got != text {
			t.Fatal("the parts do not make up the text")
		}
		if e.srv.Stats().TooMany != 1 {
			t.Fatalf("429s: %d", e.srv.Stats().TooMany)
		}
	})

	t.Run("StrictPauseAfter429", func(t *testing.T) {
		e := newEnv(t, 20, telegramtest0())
		e.enqueueBulk(t, 60, "p")
		e.start(t, e.config())
		waitFor(t, 5*time.Second, "first sends", func() bool { return len(e.srv.SendTimes()) >= 5 })
		e.srv.Force429(2)
		forced := time.Now()
		e.waitIdle(t, 20*time.Second)
		var inside int
		for _, at := range e.srv.SendTimes() {
			// Sends already in flight when the 429 came may land just after it.
			if at.After(forced.Add(200*time.Millisecond)) && at.Before(forced.Add(2*time.Second)) {
				inside++
			}
		}
		if inside > 0 {
			t.Fatalf("%d sends inside the retry_after window", inside)
		}
		for k, n := range e.texts() {
			if strings.HasPrefix(k, "p ") && n != 1 {
				t.Fatalf("%q delivered %d times", k, n)
			}
		}
		if len(e.texts()) < 60 {
			t.Fatalf("%d delivered", len(e.texts()))
		}
	})

	t.Run("LeftSendingRequeuedOnStart", func(t *testing.T) {
		e := newEnv(t, 1, telegramLimits)
		e.enqueue(t, e.message(0, "crash", "left in flight"))
		if got, _ := e.outbox.ClaimDue(context.Background(), nil, 1); len(got) != 1 {
			t.Fatal("claim")
		}
		e.start(t, e.config())
		e.waitIdle(t, 5*time.Second)
		if e.texts()["left in flight"] != 1 {
			t.Fatal("not delivered after start")
		}
	})

	t.Run("StaleSendingRequeuedWhileRunning", func(t *testing.T) {
		e := newEnv(t, 1, telegramLimits)
		cfg := e.config()
		cfg.SendTimeout, cfg.StaleEvery = 1500*time.Millisecond, 100*time.Millisecond
		e.start(t, cfg)
		time.Sleep(100 * time.Millisecond) // started: the start requeue is done
		e.enqueue(t, e.message(0, "stuck", "stuck"))
		// Another claimer (as if a send hung) takes it and never finishes.
		waitFor(t, 2*time.Second, "claim", func() bool {
			got, _ := e.outbox.ClaimDue(context.Background(), nil, 1)
			return len(got) == 1 || e.texts()["stuck"] == 1
		})
		e.waitIdle(t, 10*time.Second)
		if e.texts()["stuck"] != 1 {
			t.Fatal("stale send not requeued and delivered")
		}
	})

	t.Run("UnauthorizedPausesAndFailsNothing", func(t *testing.T) {
		e := newEnv(t, 3, telegramLimits)
		cfg := e.config()
		tg := e.ch
		cfg.Channel = func(string) bot.Channel { return rejecting{tg} }
		e.srv.FailFor(time.Hour, 401)
		e.enqueueBulk(t, 6, "u")
		e.start(t, cfg)
		waitFor(t, 5*time.Second, "unauthorized health", func() bool { return e.d.Health()["telegram"] == "unauthorized" })
		time.Sleep(300 * time.Millisecond)
		st, _ := e.outbox.BatchStats(context.Background(), "u")
		if st.Failed != 0 || st.Sent != 0 || st.Queued+st.Sending != 6 {
			t.Fatalf("stats %+v", st)
		}
		if n := e.srv.Stats().Failures; n > 1 {
			t.Fatalf("%d calls while the token is rejected, want the 1 that found out", n)
		}
	})

	t.Run("BreakerProbesWithOneRequest", func(t *testing.T) {
		e := newEnv(t, 20, telegramtest0())
		cfg := e.config()
		cfg.BreakerAfter, cfg.BreakerBackoff, cfg.MaxAttempts = 3, 400*time.Millisecond, 100
		e.srv.FailFor(1500*time.Millisecond, 502)
		e.enqueueBulk(t, 40, "b")
		e.start(t, cfg)
		e.waitIdle(t, 20*time.Second)
		st, _ := e.outbox.BatchStats(context.Background(), "b")
		if st.Sent != 40 {
			t.Fatalf("stats %+v", st)
		}
		// Closed: a few in flight fail; open: one probe per backoff (0.4, 0.8 s).
		if n := e.srv.Stats().Failures; n > 12 {
			t.Fatalf("%d requests during 1.5 s of 502s: the breaker did not hold them back", n)
		}
	})

	t.Run("InteractiveBeforeBulk", func(t *testing.T) {
		e := newEnv(t, 50, telegramLimits)
		e.enqueueBulk(t, 300, "bulk")
		cfg := e.config()
		e.start(t, cfg)
		waitFor(t, 5*time.Second, "broadcast under way", func() bool { return len(e.texts()) >= 10 })
		e.srv.NewUser(2000, "R", "", "", "").Send("/start")
		reply := e.message(0, "reply", "your answer")
		reply.ChatID = "2000" // a chat with no bulk message ahead of it
		reply.Interactive = true
		start := time.Now()
		e.enqueue(t, reply)
		waitFor(t, 3*time.Second, "the reply", func() bool { return len(e.srv.Messages(2000)) == 1 })
		if left, _ := e.outbox.QueueDepth(context.Background()); left < 100 {
			t.Fatalf("the reply waited for the broadcast (%d left, %s)", left, time.Since(start))
		}
	})

	t.Run("ChatOrderKeptNoHeadOfLineBlocking", func(t *testing.T) {
		e := newEnv(t, 10, telegramLimits)
		var ms []*convene.OutboxMessage
		for i := 0; i < 6; i++ { // chat 1001: 6 messages at 1/s
			ms = append(ms, e.message(0, fmt.Sprint("slow", i), fmt.Sprint("slow ", i)))
		}
		for i := 1; i < 10; i++ {
			ms = append(ms, e.message(i, fmt.Sprint("fast", i), fmt.Sprint("fast ", i)))
		}
		e.enqueue(t, ms...)
		e.start(t, e.config())
		waitFor(t, 2*time.Second, "the other chats", func() bool {
			seen := e.texts()
			for i := 1; i < 10; i++ {
				if seen[fmt.Sprint("fast ", i)] != 1 {
					return false
				}
			}
			return true
		})
		if seen := e.texts(); seen["slow 5"] != 0 {
			t.Fatal("the slow chat's last message went before its limit allowed")
		}
		e.waitIdle(t, 15*time.Second)
		var got []string
		for _, m := range e.srv.Messages(1001) {
			got = append(got, m.Text)
		}
		if want := "slow 0,slow 1,slow 2,slow 3,slow 4,slow 5"; strings.Join(got, ",") != want {
			t.Fatalf("chat order %v", got)
		}
	})

	t.Run("EditFallsBackToNewMessage", func(t *testing.T) {
		e := newEnv(t, 1, telegramLimits)
		m := e.message(0, "edit", "edited text")
		m.EditMessageID = "999" // no such message
		e.enqueue(t, m)
		e.start(t, e.config())
		e.waitIdle(t, 5*time.Second)
		if e.texts()["edited text"] != 1 {
			t.Fatal("edit of a missing message not sent anew")
		}
	})
}

// telegramtest0 is Telegram's limits but private chats at a generous rate,
// so tests of the bot-wide behaviour can use few chats.
func telegramtest0() (l telegramtest.Limits) {
	l = telegramLimits
	l.PerChat, l.ChatBurst = 50, 50
	return l
}

// rejecting reports the fake's 401 as the adapter will (ErrUnauthorized).
type rejecting struct{ bot.Channel }

func (r rejecting) Send(ctx context.Context, chatID string, m bot.Outgoing) (string, error) {
	id, err := r.Channel.Send(ctx, chatID, m)
	if err != nil && strings.Contains(err.Error(), "401") {
		err = &bot.Error{Kind: bot.ErrUnauthorized, Err: errors.New("telegram: unauthorized")}
	}
	return id, err
}

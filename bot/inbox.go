package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/convene/convene"
)

// InboxConfig tunes the inbox workers.
type InboxConfig struct {
	// Batch bounds the updates (of different chats) handled in one
	// transaction; default 64.
	Batch int
	// Workers bounds the answers to button presses being sent at once; default 8.
	Workers int
	// MaxTries bounds the tries of an update that keeps failing before it is
	// parked as dead; default 5.
	MaxTries int
	// Backoff is the delay after a first failure, doubling; default 1s.
	Backoff time.Duration
	// Poll is how often the inbox is checked when nothing wakes the
	// workers; default 1s.
	Poll time.Duration
	// Keep is how long handled updates are kept to drop repeats; default 48h.
	Keep time.Duration
	// OnDead is called when an update is parked; nil for nothing.
	OnDead func(channel string)
}

func (c *InboxConfig) defaults() {
	if c.Batch <= 0 {
		c.Batch = 64
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.MaxTries <= 0 {
		c.MaxTries = 5
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Keep <= 0 {
		c.Keep = 48 * time.Hour
	}
}

// Accept stores an update in the inbox and returns once it is committed:
// only then may the channel acknowledge it (advance its offset, answer the
// webhook 200). A repeat of a stored update is dropped. RunInbox handles it.
// Calls made at the same time (a poll's updates of different chats, webhook
// calls) are committed together, in one transaction.
func (b *Bot) Accept(ctx context.Context, in *Incoming) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("accept update: %w", err)
	}
	u := &convene.InboxUpdate{Channel: in.Channel, BotID: in.BotID, UpdateID: in.UpdateID,
		ChatKey: in.Channel + ":" + in.ChatID, Payload: payload}
	if err := b.acceptor.store(ctx, b, u); err != nil {
		return fmt.Errorf("accept %s update %s: %w", in.Channel, in.UpdateID, err)
	}
	select {
	case b.inboxWake <- struct{}{}:
	default:
	}
	return nil
}

// acceptor commits the updates of concurrent Accept calls together: the
// first caller stores what has gathered while others wait, then the next
// batch goes, so a rush costs one transaction per batch, not per update.
type acceptor struct {
	mu      sync.Mutex
	pending []*acceptCall
	leading bool
}

type acceptCall struct {
	u    *convene.InboxUpdate
	done chan error
}

func (a *acceptor) store(ctx context.Context, b *Bot, u *convene.InboxUpdate) error {
	call := &acceptCall{u: u, done: make(chan error, 1)}
	a.mu.Lock()
	a.pending = append(a.pending, call)
	if a.leading {
		a.mu.Unlock()
		select {
		case err := <-call.done:
			return err
		case <-ctx.Done():
			return ctx.Err() // not acknowledged: the channel sends it again
		}
	}
	a.leading = true
	for len(a.pending) > 0 {
		batch := a.pending[:min(len(a.pending), 256)]
		a.pending = a.pending[len(batch):]
		a.mu.Unlock()
		us := make([]*convene.InboxUpdate, len(batch))
		for i, c := range batch {
			us[i] = c.u
		}
		_, err := b.Inbox.StoreUpdates(context.WithoutCancel(ctx), us)
		for _, c := range batch {
			c.done <- err
		}
		a.mu.Lock()
	}
	a.leading = false
	a.mu.Unlock()
	return <-call.done
}

// RunInbox handles stored updates until ctx ends: each chat's in the order
// they came, different chats side by side. An update is marked done in the
// transaction of its handler's writes and replies: the oldest waiting
// update of each of up to Batch chats is handled in one transaction, each
// in a savepoint of its own (a group commit: SQLite commits, not handlers,
// bound how fast a rush drains). A failing one leaves nothing behind, is
// tried again with backoff, then parked as dead, so it cannot block its
// chat. Answers to button presses go out once their transaction committed.
// On shutdown, the batch under way finishes; the rest waits in the inbox.
func (b *Bot) RunInbox(ctx context.Context, cfg InboxConfig) error {
	cfg.defaults()
	var wg sync.WaitGroup
	defer wg.Wait()
	// Answers and menus go out beside the next batch, a few at a time.
	slot := make(chan struct{}, cfg.Workers)
	finish := func(r *Request) {
		slot <- struct{}{}
		wg.Go(func() {
			defer func() { <-slot }()
			b.finish(context.WithoutCancel(ctx), r)
		})
	}
	lastPrune := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if n, err := b.Inbox.PruneInbox(ctx, b.Now().Add(-cfg.Keep)); err != nil {
				b.Logger.Warn("prune inbox", "err", err)
			} else if n > 0 {
				b.Logger.Debug("inbox pruned", "updates", n)
			}
		}
		ups, err := b.Inbox.DueUpdates(ctx, cfg.Batch)
		if err != nil && ctx.Err() == nil {
			b.Logger.Error("read inbox", "err", err)
		}
		if len(ups) > 0 {
			for _, r := range b.processBatch(context.WithoutCancel(ctx), cfg, ups) {
				finish(r)
			}
			continue
		}
		wait := cfg.Poll
		if next, err := b.Inbox.NextUpdateDue(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(b.Now()), 10*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-b.inboxWake:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// processBatch handles ups (of different chats) in one transaction, each in
// a savepoint with its done mark, and returns the requests handled, to
// finish once committed. Failed updates are retried or parked afterwards.
// If the transaction itself fails, each update is tried on its own.
func (b *Bot) processBatch(ctx context.Context, cfg InboxConfig, ups []*convene.InboxUpdate) []*Request {
	var done []*Request
	failed := map[*convene.InboxUpdate]error{}
	ins := map[*convene.InboxUpdate]*Incoming{}
	err := b.Tx.InTx(ctx, func(ctx context.Context) error {
		done, failed = nil, map[*convene.InboxUpdate]error{}
		for _, u := range ups {
			in := new(Incoming)
			if err := json.Unmarshal(u.Payload, in); err != nil {
				failed[u] = fmt.Errorf("unreadable update: %w", err)
				continue
			}
			ins[u] = in
			var r *Request
			err := b.Tx.InTx(ctx, func(ctx context.Context) error {
				if err := b.Inbox.MarkUpdateDone(ctx, u.ID); err != nil {
					return err
				}
				var err error
				r, err = b.handle(ctx, in)
				return err
			})
			switch {
			case err == nil:
				done = append(done, r)
			case convene.ErrorCode(err) == convene.ECONFLICT:
				// handled meanwhile: nothing to do
			default:
				failed[u] = err
			}
		}
		return nil
	})
	if err != nil {
		if len(ups) == 1 {
			failed = map[*convene.InboxUpdate]error{ups[0]: err}
			done = nil
		} else {
			b.Logger.Warn("inbox batch failed: handling its updates one by one", "updates", len(ups), "err", err)
			done = nil
			for _, u := range ups {
				done = append(done, b.processBatch(ctx, cfg, []*convene.InboxUpdate{u})...)
			}
			return done
		}
	}
	for u, err := range failed {
		b.retryOrPark(ctx, cfg, u, ins[u], err)
	}
	return done
}

// retryOrPark schedules a failed update's next try, or parks it once it has
// had its tries.
func (b *Bot) retryOrPark(ctx context.Context, cfg InboxConfig, u *convene.InboxUpdate, in *Incoming, cause error) {
	if in == nil || u.Tries+1 >= cfg.MaxTries {
		b.park(ctx, cfg, u, in, cause)
		return
	}
	backoff := cfg.Backoff << min(u.Tries, 16)
	backoff = backoff/2 + rand.N(backoff/2+1)
	b.Logger.Warn("update failed: will try again", "channel", u.Channel, "update", u.UpdateID, "try", u.Tries+1, "in", backoff, "err", cause)
	if err := b.Inbox.RetryUpdate(ctx, u.ID, b.Now().Add(backoff), cause.Error()); err != nil {
		b.Logger.Error("requeue update", "update", u.UpdateID, "err", err)
	}
}

// park gives up on an update that keeps failing: it is kept as dead, and
// the person is told something went wrong, in one transaction.
func (b *Bot) park(ctx context.Context, cfg InboxConfig, u *convene.InboxUpdate, in *Incoming, cause error) {
	b.Logger.Error("update parked as dead after failing", "channel", u.Channel, "update", u.UpdateID, "tries", u.Tries+1, "err", cause)
	if cfg.OnDead != nil {
		cfg.OnDead(u.Channel)
	}
	var r *Request
	err := b.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := b.Inbox.ParkUpdate(ctx, u.ID, cause.Error()); err != nil {
			return err
		}
		if in == nil || b.Channel(in.Channel) == nil {
			return nil
		}
		acc, err := b.People.FindAccount(ctx, in.Channel, in.UserID)
		if err != nil {
			return nil // never got as far as an account: nobody to tell
		}
		r = &Request{Incoming: in, Account: acc, channel: b.Channel(in.Channel), keyBase: "dead:" + randomKey()}
		b.identify(r)
		b.answer(ctx, r, "")
		b.say(ctx, r, "err.internal")
		return nil
	})
	if err != nil {
		b.Logger.Error("park update", "update", u.UpdateID, "err", err)
		return
	}
	b.finish(ctx, r)
}

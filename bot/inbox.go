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
	// Workers bounds the updates handled at once (of different chats); default 4.
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
	if c.Workers <= 0 {
		c.Workers = 4
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
func (b *Bot) Accept(ctx context.Context, in *Incoming) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("accept update: %w", err)
	}
	u := &convene.InboxUpdate{Channel: in.Channel, BotID: in.BotID, UpdateID: in.UpdateID,
		ChatKey: in.Channel + ":" + in.ChatID, Payload: payload}
	n, err := b.Inbox.StoreUpdates(ctx, []*convene.InboxUpdate{u})
	if err != nil {
		return fmt.Errorf("accept %s update %s: %w", in.Channel, in.UpdateID, err)
	}
	if n == 0 {
		b.Logger.Debug("repeated update ignored", "channel", in.Channel, "update", in.UpdateID)
		return nil
	}
	select {
	case b.inboxWake <- struct{}{}:
	default:
	}
	return nil
}

// RunInbox handles stored updates until ctx ends: each chat's in the order
// they came, different chats side by side. An update is marked done in the
// transaction of its handler's writes and replies; a failing one is tried
// again with backoff, then parked as dead, so it cannot block its chat.
// On shutdown, handlers under way finish; the rest waits in the inbox.
func (b *Bot) RunInbox(ctx context.Context, cfg InboxConfig) error {
	cfg.defaults()
	var (
		mu   sync.Mutex
		busy = map[string]bool{} // chats with an update being handled
		// finished holds the chats whose update was handled since the
		// inbox was last read: what that read returned for them is stale
		// (tries, next attempt) and waits for the next read.
		finished = map[string]bool{}
		wg       sync.WaitGroup
		slot     = make(chan struct{}, cfg.Workers)
		freed    = make(chan struct{}, 1)
	)
	defer wg.Wait()
	work := context.WithoutCancel(ctx)
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
		mu.Lock()
		clear(finished)
		mu.Unlock()
		ups, err := b.Inbox.DueUpdates(ctx, 256)
		if err != nil && ctx.Err() == nil {
			b.Logger.Error("read inbox", "err", err)
		}
		started := 0
		for _, u := range ups {
			mu.Lock()
			taken := busy[u.ChatKey] || finished[u.ChatKey]
			mu.Unlock()
			if taken {
				continue
			}
			select {
			case slot <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			mu.Lock()
			busy[u.ChatKey] = true
			mu.Unlock()
			started++
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					mu.Lock()
					delete(busy, u.ChatKey)
					finished[u.ChatKey] = true
					mu.Unlock()
					<-slot
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
				b.process(work, cfg, u)
			}()
		}
		if started > 0 {
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
		case <-freed:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// process handles one stored update in one transaction with its done mark.
func (b *Bot) process(ctx context.Context, cfg InboxConfig, u *convene.InboxUpdate) {
	var in Incoming
	if err := json.Unmarshal(u.Payload, &in); err != nil {
		b.park(ctx, cfg, u, nil, fmt.Errorf("unreadable update: %w", err))
		return
	}
	var r *Request
	err := b.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := b.Inbox.MarkUpdateDone(ctx, u.ID); err != nil {
			return err
		}
		var err error
		r, err = b.handle(ctx, &in)
		return err
	})
	switch {
	case err == nil:
		b.finish(ctx, r)
		return
	case convene.ErrorCode(err) == convene.ECONFLICT:
		return // handled meanwhile: nothing to do
	}
	if u.Tries+1 >= cfg.MaxTries {
		b.park(ctx, cfg, u, &in, err)
		return
	}
	backoff := cfg.Backoff << min(u.Tries, 16)
	backoff = backoff/2 + rand.N(backoff/2+1)
	b.Logger.Warn("update failed: will try again", "channel", u.Channel, "update", u.UpdateID, "try", u.Tries+1, "in", backoff, "err", err)
	if err := b.Inbox.RetryUpdate(ctx, u.ID, b.Now().Add(backoff), err.Error()); err != nil {
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

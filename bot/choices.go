package bot

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// On channels without buttons a message's choices are a numbered list and
// a typed number answers it. The lists a chat may still answer are
// remembered per account (State "choices:<account>"), each as a block of
// numbers:
//
//   - a reply to what the person did starts at 1 and replaces the earlier
//     replies' lists (the conversation moved on), but
//   - a message sent on its own (an invitation, a reminder, a feedback
//     request) continues the numbering after every list still open, so an
//     invitation arriving under a /pending list shows 6., 7., … and "3"
//     still means what the /pending list said; and
//   - a reply continues after the open lists of such messages too.
//
// A list stays open until one of its numbers is answered, or, once a new
// list arrives, for choiceTTL; numbers never change meaning while their
// list is open.

// choiceTTL is how long an unanswered list keeps its numbers when a new
// list arrives after it.
const choiceTTL = 30 * time.Minute

// maxOpenChoices bounds the numbers kept open: past it, a new list starts
// at 1 again.
const maxOpenChoices = 30

// choiceBlock is one message's numbered choices: First is the number of
// Data[0]; Bulk marks a message not sent as a reply; At is when it was
// offered (Unix seconds).
type choiceBlock struct {
	First int      `json:"first"`
	Data  []string `json:"data"`
	Bulk  bool     `json:"bulk,omitempty"`
	At    int64    `json:"at"`
}

func (c choiceBlock) next() int { return c.First + len(c.Data) }

// loadChoices reads the account's open lists; the older form, one datum a
// line, is one list from 1.
func (b *core) loadChoices(ctx context.Context, accountID int64) []choiceBlock {
	saved, err := b.State.GetState(ctx, choicesKey(accountID))
	if err != nil || saved == "" {
		return nil
	}
	var blocks []choiceBlock
	if strings.HasPrefix(saved, "[") {
		if json.Unmarshal([]byte(saved), &blocks) == nil {
			return blocks
		}
		return nil
	}
	return []choiceBlock{{First: 1, Data: strings.Split(saved, "\n")}}
}

func (b *core) saveChoices(ctx context.Context, accountID int64, blocks []choiceBlock) error {
	v := ""
	if len(blocks) > 0 {
		buf, err := json.Marshal(blocks)
		if err != nil {
			return err
		}
		v = string(buf)
	}
	return b.State.SetState(ctx, choicesKey(accountID), v)
}

// offerChoices remembers data as a new numbered list and returns the number
// of its first choice.
func (b *core) offerChoices(ctx context.Context, accountID int64, data []string, bulk bool) int {
	now := b.Now()
	var open []choiceBlock
	for _, c := range b.loadChoices(ctx, accountID) {
		if now.Sub(time.Unix(c.At, 0)) >= choiceTTL {
			continue
		}
		if !bulk && !c.Bulk {
			continue // a reply replaces the earlier replies' lists
		}
		open = append(open, c)
	}
	first := 1
	for i, c := range open {
		if slices.Equal(c.Data, data) {
			// The same choices again (a send retried, rendered anew): the
			// same numbers.
			open[i].At = now.Unix()
			if err := b.saveChoices(ctx, accountID, open); err != nil {
				b.Logger.Warn("remember choices", "err", err)
			}
			return c.First
		}
		first = max(first, c.next())
	}
	if first-1+len(data) > maxOpenChoices {
		open, first = nil, 1
	}
	open = append(open, choiceBlock{First: first, Data: data, Bulk: bulk, At: now.Unix()})
	if err := b.saveChoices(ctx, accountID, open); err != nil {
		b.Logger.Warn("remember choices", "err", err)
	}
	return first
}

// pickChoice returns the datum of number n, or, for a word ("có" is 1),
// of that place in the newest list, and closes its list: a list answers
// once.
func (b *core) pickChoice(ctx context.Context, accountID int64, n int, word bool) (string, bool) {
	blocks := b.loadChoices(ctx, accountID)
	if len(blocks) == 0 {
		return "", false
	}
	if word {
		n += blocks[len(blocks)-1].First - 1
	}
	for i, c := range blocks {
		if n < c.First || n >= c.next() || c.Data[n-c.First] == "" {
			continue
		}
		_ = b.saveChoices(ctx, accountID, append(blocks[:i:i], blocks[i+1:]...))
		return c.Data[n-c.First], true
	}
	return "", false
}

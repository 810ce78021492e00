package bot

import (
	"context"

	"github.com/convene/convene"
)

// Render adapts a queued message's content to a channel: on channels
// without buttons its choices become a numbered list in the recipient's
// language (remembered, so a typed number answers).
func (b *Bot) Render(ctx context.Context, m *convene.OutboxMessage, caps Caps) Outgoing {
	content := m.Content
	if !caps.Buttons && len(content.Buttons) > 0 {
		lang := b.Lang
		if a, err := b.People.FindAccountByID(ctx, m.AccountID); err == nil && a.Lang != "" {
			lang = a.Lang
		}
		content = b.fit(ctx, m.AccountID, caps, lang, content, !m.Interactive)
	}
	return content
}

// ReportBatch enqueues the report of a finished batch for notify. Call it
// in the transaction that marks the batch finished.
func (b *Bot) ReportBatch(ctx context.Context, st *convene.BatchStats, notify int64) error {
	return b.broadcast.reportBatch(ctx, st, notify)
}

// Woken is nudged whenever the bot enqueued something to send.
func (b *Bot) Woken() <-chan struct{} { return b.wake }

// ChannelNames returns the names of the registered channels.
func (b *Bot) ChannelNames() []string { return b.channelNames() }

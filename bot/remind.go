package bot

import (
	"context"
	"fmt"

	"github.com/convene/convene"
)

// ReminderMessages builds a reminder for each reachable invitee of the
// meeting in the audience: how long until the meeting, where, their own
// answer, and buttons to answer if they haven't. key makes each message's
// idempotency key (key:invitation id).
func (b *Bot) ReminderMessages(ctx context.Context, m *convene.Meeting, f convene.InvitationFilter, key string) ([]*convene.OutboxMessage, error) {
	invs, _, err := b.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	reach, _ := recipients(invs)
	now := b.Now()
	msgs := make([]*convene.OutboxMessage, 0, len(reach))
	for _, inv := range reach {
		a := inv.Account()
		lang := b.langOf(&inv.Person, a)
		c := convene.Content{Text: b.Texts.T(lang, "remind.body", map[string]any{
			"Title": m.Title, "In": b.until(lang, now, m.StartsAt), "When": b.when(lang, m, m.StartsAt),
			"Venue": m.Venue, "Address": m.Address, "Answer": b.answerLine(lang, &inv.Invitation),
		})}
		if (inv.RSVP == convene.RSVPPending || inv.Reconfirm) && now.Before(m.Deadline()) {
			c.Buttons = b.rsvpButtons(lang, inv.ID)
			c.Text += "\n\n" + b.Texts.T(lang, "remind.please_answer", map[string]any{"Deadline": b.when(lang, m, m.Deadline())})
		}
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: fmt.Sprintf("%s:%d", key, inv.ID), Batch: key, Content: c})
	}
	return msgs, nil
}

// RemindNow queues a reminder to the meeting's audience at once, recorded as
// a firing of the "remind-now" job so it is in the log. The messages and
// the audit entry commit in one transaction.
func (b *Bot) RemindNow(ctx context.Context, code string, audience string, actor string, notify int64) (*Delivery, error) {
	return inTx(ctx, b.core, func(ctx context.Context) (*Delivery, error) {
		return b.remindNow(ctx, code, audience, "", actor, notify)
	})
}

// RemindBatch is RemindNow with the caller's batch key (a form's, say): a
// second call with the same meeting and batch queues nothing again, so a
// double submit reminds once. Returns EINVALID for an empty batch.
func (b *Bot) RemindBatch(ctx context.Context, code, audience, batch, actor string, notify int64) (*Delivery, error) {
	if batch == "" {
		return nil, convene.Errorf(convene.EINVALID, "reminder without batch")
	}
	return inTx(ctx, b.core, func(ctx context.Context) (*Delivery, error) {
		return b.remindNow(ctx, code, audience, batch, actor, notify)
	})
}

func (b *Bot) remindNow(ctx context.Context, code, audience, batch, actor string, notify int64) (*Delivery, error) {
	m, err := b.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	f, err := ParseAudience(m.ID, audience)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("remind-now:%d:%d", m.ID, b.Now().UnixNano())
	if batch != "" {
		key = fmt.Sprintf("remind-batch:%d:%s", m.ID, batch)
	}
	msgs, err := b.ReminderMessages(ctx, m, f, key)
	if err != nil {
		return nil, err
	}
	for _, msg := range msgs {
		msg.NotifyAccount = notify
	}
	n, err := b.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if err := b.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "remind", MeetingID: m.ID,
		Detail: fmt.Sprintf("audience %q: %d queued", audience, n)}); err != nil {
		return nil, err
	}
	invs, _, err := b.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	return &Delivery{Queued: n, Unlinked: len(invs) - len(msgs)}, nil
}

// cmdRemind sends a reminder now: /remind CODE [audience].
func (b *Bot) cmdRemind(ctx context.Context, r *Request) error {
	m, rest, err := b.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if _, err := ParseAudience(m.ID, rest); err != nil {
		b.say(ctx, r, "audience.invalid")
		return nil
	}
	d, err := b.RemindNow(ctx, m.Code, rest, r.Actor(), r.Account.ID)
	if err != nil {
		return err
	}
	b.say(ctx, r, "remind.queued", "Count", d.Queued, "Unlinked", d.Unlinked)
	return nil
}

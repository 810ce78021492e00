package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/convene/convene"
)

// cmdBroadcast starts an announcement: /broadcast CODE [audience]. The bot
// asks for the text, shows the recipient count and asks to confirm.
func (b *Bot) cmdBroadcast(ctx context.Context, r *Request) error {
	m, rest, err := b.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if _, err := ParseAudience(m.ID, rest); err != nil {
		b.say(ctx, r, "audience.invalid")
		return nil
	}
	if err := b.startFlow(ctx, r, "broadcast", "text", map[string]string{"meeting": itoa(m.ID), "audience": rest}); err != nil {
		return err
	}
	b.say(ctx, r, "bc.ask_text", "Title", m.Title)
	return nil
}

// flowBroadcast takes the announcement's text and asks to confirm.
func (b *Bot) flowBroadcast(ctx context.Context, r *Request, c *convene.Conversation) error {
	if !r.Organizer {
		_ = b.Conversations.DeleteConversation(ctx, r.Account.ID)
		return convene.Errorf(convene.EFORBIDDEN, "broadcast")
	}
	text := strings.TrimSpace(r.Text)
	if text == "" {
		b.say(ctx, r, "bc.ask_text", "Title", "")
		return nil
	}
	id, f, err := b.broadcastFilter(c)
	if err != nil {
		return err
	}
	invs, _, err := b.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return err
	}
	reach, unlinked := recipients(invs)
	c.Data["text"], c.Step = text, "confirm"
	if err := b.Conversations.SaveConversation(ctx, c); err != nil {
		return err
	}
	b.reply(ctx, r, Outgoing{
		Text: b.t(r, "bc.confirm", "Count", len(reach), "Unlinked", unlinked, "Text", text),
		Buttons: [][]convene.Button{{
			{Text: b.t(r, "btn.confirm_send"), Data: "bc:ok:" + itoa(id)},
			{Text: b.t(r, "btn.cancel"), Data: "bc:no:" + itoa(id)},
		}},
	})
	return nil
}

func (b *Bot) broadcastFilter(c *convene.Conversation) (int64, convene.InvitationFilter, error) {
	var id int64
	if _, err := fmt.Sscan(c.Data["meeting"], &id); err != nil {
		return 0, convene.InvitationFilter{}, convene.Errorf(convene.EINVALID, "bad meeting")
	}
	f, err := ParseAudience(id, c.Data["audience"])
	return id, f, err
}

// onBroadcastConfirm queues the announcement once confirmed.
func (b *Bot) onBroadcastConfirm(ctx context.Context, r *Request, parts []string) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "broadcast")
	}
	c, err := b.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND || (err == nil && (c.Flow != "broadcast" || c.Step != "confirm")) {
		b.answer(ctx, r, b.t(r, "hint.stale_button"))
		return nil
	} else if err != nil {
		return err
	}
	b.answer(ctx, r, "")
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	if len(parts) < 2 || parts[1] != "ok" {
		b.edit(ctx, r, Outgoing{Text: b.t(r, "org.cancelled")})
		return nil
	}
	_, f, err := b.broadcastFilter(c)
	if err != nil {
		return err
	}
	batch := fmt.Sprintf("bc:%d:%s", f.MeetingID, r.UpdateID)
	d, err := b.Broadcast(ctx, f, c.Data["text"], batch, r.Actor(), r.Account.ID)
	if err != nil {
		return err
	}
	b.edit(ctx, r, Outgoing{Text: b.t(r, "bc.queued", "Count", d.Queued, "Unlinked", d.Unlinked)})
	return nil
}

// reportBatch tells the batch's sender how delivery went.
func (b *Bot) reportBatch(ctx context.Context, st *convene.BatchStats, notify int64) error {
	acc, err := b.People.FindAccountByID(ctx, notify)
	if err != nil {
		return err
	}
	lang := acc.Lang
	if lang == "" {
		lang = b.Lang
	}
	var names []string
	for _, id := range st.Unreached {
		a, err := b.People.FindAccountByID(ctx, id)
		if err != nil || a.PersonID == 0 {
			continue
		}
		if p, err := b.People.FindPersonByID(ctx, a.PersonID); err == nil {
			names = append(names, p.FullName)
		}
	}
	text := b.Texts.T(lang, "bc.report", map[string]any{"Sent": st.Sent, "Unreachable": st.Unreachable, "Failed": st.Failed})
	if len(names) > 0 {
		text += "\n" + b.Texts.T(lang, "bc.unreached", map[string]any{"Names": strings.Join(names, ", ")})
	}
	_, err = b.Outbox.Enqueue(ctx, []*convene.OutboxMessage{{AccountID: acc.ID, Channel: acc.Channel, ChatID: acc.ChatID,
		Key: "batch-report:" + st.Batch, Content: convene.Content{Text: text}}})
	return err
}

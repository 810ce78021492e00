package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// cmdBroadcast starts an announcement: /broadcast CODE [audience]. The bot
// asks for the text, shows the recipient count and asks to confirm.
func (h *broadcastHandlers) cmdBroadcast(ctx context.Context, r *Request) error {
	m, rest, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if _, err := ParseAudience(m.ID, rest); err != nil {
		h.say(ctx, r, "audience.invalid")
		return nil
	}
	st := broadcastState{Step: bcAskText, Meeting: m.ID, Audience: rest}
	if err := h.Conversations.SaveConversation(ctx, st.conversation(r.Account.ID)); err != nil {
		return err
	}
	h.say(ctx, r, "bc.ask_text", "Title", m.Title)
	return nil
}

// flowBroadcast takes the announcement's text and asks to confirm.
func (h *broadcastHandlers) flowBroadcast(ctx context.Context, r *Request, c *convene.Conversation) error {
	if !r.Organizer {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return convene.Errorf(convene.EFORBIDDEN, "broadcast")
	}
	text := strings.TrimSpace(r.Text)
	if text == "" {
		h.say(ctx, r, "bc.ask_text", "Title", "")
		return nil
	}
	st, err := parseBroadcastState(c)
	if err != nil {
		return err
	}
	f, err := ParseAudience(st.Meeting, st.Audience)
	if err != nil {
		return err
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return err
	}
	reach, unlinked := recipients(invs)
	st.Text, st.Step = text, bcConfirm
	if err := h.Conversations.SaveConversation(ctx, st.conversation(r.Account.ID)); err != nil {
		return err
	}
	h.reply(ctx, r, Outgoing{
		Text: h.t(r, "bc.confirm", "Count", len(reach), "Unlinked", unlinked, "Text", text),
		Buttons: [][]convene.Button{{
			{Text: h.t(r, "btn.confirm_send"), Data: broadcastData{Meeting: st.Meeting, OK: true}.encode()},
			{Text: h.t(r, "btn.cancel"), Data: broadcastData{Meeting: st.Meeting}.encode()},
		}},
	})
	return nil
}

// onBroadcastConfirm queues the announcement once confirmed.
func (h *broadcastHandlers) onBroadcastConfirm(ctx context.Context, r *Request) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "broadcast")
	}
	c, err := h.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND || (err == nil && (c.Flow != flowBroadcast || c.Step != string(bcConfirm))) {
		h.answer(ctx, r, h.t(r, "hint.stale_button"))
		return nil
	} else if err != nil {
		return err
	}
	h.answer(ctx, r, "")
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	if data, _ := parseBroadcastData(r.CallbackData); !data.OK {
		h.edit(ctx, r, Outgoing{Text: h.t(r, "org.cancelled")})
		return nil
	}
	st, err := parseBroadcastState(c)
	if err != nil {
		return err
	}
	f, err := ParseAudience(st.Meeting, st.Audience)
	if err != nil {
		return err
	}
	batch := fmt.Sprintf("bc:%d:%s", f.MeetingID, r.UpdateID)
	d, err := h.Broadcast(ctx, f, st.Text, batch, r.Actor(), r.Account.ID)
	if err != nil {
		return err
	}
	h.edit(ctx, r, Outgoing{Text: h.t(r, "bc.queued", "Count", d.Queued, "Unlinked", d.Unlinked)})
	return nil
}

// reportBatch tells the batch's sender how delivery went.
func (h *broadcastHandlers) reportBatch(ctx context.Context, st *convene.BatchStats, notify int64) error {
	acc, err := h.People.FindAccountByID(ctx, notify)
	if err != nil {
		return err
	}
	lang := acc.Lang
	if lang == "" {
		lang = h.Lang
	}
	var names []string
	for _, id := range st.Unreached {
		a, err := h.People.FindAccountByID(ctx, id)
		if err != nil || a.PersonID == 0 {
			continue
		}
		if p, err := h.People.FindPersonByID(ctx, a.PersonID); err == nil {
			names = append(names, p.FullName)
		}
	}
	text := h.Texts.T(lang, "bc.report", map[string]any{"Sent": st.Sent, "Unreachable": st.Unreachable, "Failed": st.Failed})
	if len(names) > 0 {
		text += "\n" + h.Texts.T(lang, "bc.unreached", map[string]any{"Names": strings.Join(names, ", ")})
	}
	_, err = h.Outbox.Enqueue(ctx, []*convene.OutboxMessage{{AccountID: acc.ID, Channel: acc.Channel, ChatID: acc.ChatID,
		Key: "batch-report:" + st.Batch, Content: convene.Content{Text: text}}})
	return err
}

// broadcastData is the callback data of the broadcast confirmation:
// "bc:<ok|no>:<meeting id>". What is sent comes from the organizer's
// conversation, not from the data.
type broadcastData struct {
	Meeting int64
	OK      bool
}

func (d broadcastData) encode() string { return "bc:" + okNo(d.OK) + ":" + itoa(d.Meeting) }

// parseBroadcastData reads broadcastData; anything but "ok" cancels, and
// the meeting is 0 where it is not a number.
func parseBroadcastData(s string) (broadcastData, error) {
	p := strings.Split(s, ":")
	if p[0] != "bc" {
		return broadcastData{}, errStale
	}
	var d broadcastData
	if len(p) >= 2 {
		d.OK = p[1] == "ok"
	}
	if len(p) >= 3 {
		d.Meeting, _ = strconv.ParseInt(p[2], 10, 64)
	}
	return d, nil
}

const flowBroadcast = "broadcast"

// bcStep is where the broadcast flow stands.
type bcStep string

const (
	bcAskText bcStep = "text"    // waiting for the announcement's text
	bcConfirm bcStep = "confirm" // waiting for the confirmation button
)

// broadcastState is the broadcast flow's: the meeting, the audience as the
// organizer typed it, and the text once given.
type broadcastState struct {
	Step     bcStep
	Meeting  int64
	Audience string
	Text     string
}

func (s broadcastState) conversation(accountID int64) *convene.Conversation {
	data := map[string]string{"meeting": itoa(s.Meeting), "audience": s.Audience}
	if s.Text != "" {
		data["text"] = s.Text
	}
	return &convene.Conversation{AccountID: accountID, Flow: flowBroadcast, Step: string(s.Step), Data: data}
}

func parseBroadcastState(c *convene.Conversation) (broadcastState, error) {
	var id int64
	if _, err := fmt.Sscan(c.Data["meeting"], &id); err != nil {
		return broadcastState{}, convene.Errorf(convene.EINVALID, "bad meeting")
	}
	return broadcastState{Step: bcStep(c.Step), Meeting: id, Audience: c.Data["audience"], Text: c.Data["text"]}, nil
}

// broadcastHandlers compose, confirm and send an organizer's broadcast to a meeting's audience.
type broadcastHandlers struct {
	*core
}

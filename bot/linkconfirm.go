package bot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene"
)

// One person, one identity across channels: a person already linked on one
// channel links another only by typing there a one-time code sent to the
// account already linked. The code has 6 digits, lives 10 minutes, is kept
// only as a salted hash in the new account's conversation, and allows
// linkCodeTries wrong guesses; a person gets at most linkCodesPerHour codes
// an hour. The organizers are told of every second-channel link and every
// refused attempt.
const (
	linkConfirmFlow  = "linkconfirm"
	linkCodeTTL      = 10 * time.Minute
	linkCodeTries    = 5
	linkCodesPerHour = 3
)

// needsSecondChannelProof reports whether linking the requester's account to
// p needs a code: p has a linked account on another channel and none on
// this one (a same-channel account is refused by LinkAccount: the first wins).
func (h *linkConfirmHandlers) needsSecondChannelProof(ctx context.Context, r *Request, p *convene.Person) (bool, error) {
	accs, err := h.People.FindAccountsByPerson(ctx, p.ID)
	if err != nil {
		return false, err
	}
	other := false
	for _, a := range accs {
		if a.Channel == r.Account.Channel {
			return false, nil
		}
		other = true
	}
	return other, nil
}

// askLinkCode sends a fresh code to p's accounts on other channels and asks
// the requester to type it.
func (h *linkConfirmHandlers) askLinkCode(ctx context.Context, r *Request, p *convene.Person, how string) error {
	accs, err := h.People.FindAccountsByPerson(ctx, p.ID)
	if err != nil {
		return err
	}
	var owners []*convene.Account
	for _, a := range accs {
		if a.Channel != r.Account.Channel && a.Reachable {
			owners = append(owners, a)
		}
	}
	refuse := func(why string) error {
		h.Logger.Warn("second channel link refused", "actor", r.Actor(), "person", p.ID, "why", why)
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.confirm_refused"), RemoveKeyboard: true})
		return h.tellOrganizers(ctx, fmt.Sprintf("link-2nd-refused:%d:%s:%s", p.ID, r.Actor(), r.UpdateID), "org.link_second_refused",
			"Name", p.FullName, "Unit", orDash(p.Unit), "Channel", r.Account.Channel, "Account", r.Name, "Actor", r.Actor(), "Why", textRef("link.why_"+why))
	}
	if len(owners) == 0 {
		return refuse("unreachable")
	}
	if ok, err := h.takeLinkCodeQuota(ctx, p.ID); err != nil {
		return err
	} else if !ok {
		return refuse("quota")
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	c := &convene.Conversation{AccountID: r.Account.ID, Flow: linkConfirmFlow, Step: "code", Data: map[string]string{
		"person": itoa(p.ID), "how": how, "salt": hex.EncodeToString(salt), "hash": linkCodeHash(salt, code),
		"expires": strconv.FormatInt(h.Now().Add(linkCodeTTL).Unix(), 10), "tries": "0",
	}}
	if err := h.Conversations.SaveConversation(ctx, c); err != nil {
		return err
	}
	msgs := make([]*convene.OutboxMessage, 0, len(owners))
	for _, a := range owners {
		lang := h.langOf(p, a)
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key:         fmt.Sprintf("link-code:%d:%d:%s:%s", p.ID, a.ID, r.Actor(), r.UpdateID),
			Interactive: true, // goes at once, and its code is not kept once sent
			Content: convene.Content{Text: h.Texts.T(lang, "link.code_for_owner", issuerData(r.issuer, map[string]any{
				"Channel": r.Account.Channel, "Account": r.Name, "Code": code, "Minutes": int(linkCodeTTL.Minutes()),
			}))}})
	}
	if _, err := h.Outbox.Enqueue(ctx, msgs); err != nil {
		return err
	}
	h.Wake()
	h.reply(ctx, r, Outgoing{Text: h.t(r, "link.confirm_ask", "Minutes", int(linkCodeTTL.Minutes())), RemoveKeyboard: true})
	return nil
}

// takeLinkCodeQuota counts a code sent for person and reports whether it
// is within linkCodesPerHour.
func (h *linkConfirmHandlers) takeLinkCodeQuota(ctx context.Context, personID int64) (bool, error) {
	key := "link-codes:" + itoa(personID)
	v, err := h.State.GetState(ctx, key)
	if err != nil {
		return false, err
	}
	now := h.Now().Unix()
	start, count := now, 0
	if a, c, ok := strings.Cut(v, ":"); ok {
		s, _ := strconv.ParseInt(a, 10, 64)
		n, _ := strconv.Atoi(c)
		if now-s < int64(time.Hour/time.Second) {
			start, count = s, n
		}
	}
	if count >= linkCodesPerHour {
		return false, nil
	}
	return true, h.State.SetState(ctx, key, fmt.Sprintf("%d:%d", start, count+1))
}

func linkCodeHash(salt []byte, code string) string {
	h := sha256.Sum256(append(append([]byte{}, salt...), code...))
	return hex.EncodeToString(h[:])
}

// flowLinkConfirm takes the code typed on the new channel.
func (h *linkConfirmHandlers) flowLinkConfirm(ctx context.Context, r *Request, c *convene.Conversation) error {
	pid, _ := strconv.ParseInt(c.Data["person"], 10, 64)
	p, err := h.People.FindPersonByID(ctx, pid)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	fail := func(textID, why string) error {
		if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
			return err
		}
		h.Logger.Warn("second channel link refused", "actor", r.Actor(), "person", p.ID, "why", why)
		h.say(ctx, r, textID)
		return h.tellOrganizers(ctx, fmt.Sprintf("link-2nd-refused:%d:%s:%s", p.ID, r.Actor(), r.UpdateID), "org.link_second_refused",
			"Name", p.FullName, "Unit", orDash(p.Unit), "Channel", r.Account.Channel, "Account", r.Name, "Actor", r.Actor(), "Why", textRef("link.why_"+why))
	}
	expires, _ := strconv.ParseInt(c.Data["expires"], 10, 64)
	if h.Now().Unix() >= expires {
		return fail("link.confirm_expired", "expired")
	}
	code := strings.Join(strings.Fields(r.Text), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		h.say(ctx, r, "link.confirm_ask", "Minutes", int(linkCodeTTL.Minutes()))
		return nil
	}
	salt, _ := hex.DecodeString(c.Data["salt"])
	if subtle.ConstantTimeCompare([]byte(linkCodeHash(salt, code)), []byte(c.Data["hash"])) != 1 {
		tries, _ := strconv.Atoi(c.Data["tries"])
		tries++
		if tries >= linkCodeTries {
			return fail("link.confirm_failed", "tries")
		}
		c.Data["tries"] = strconv.Itoa(tries)
		if err := h.Conversations.SaveConversation(ctx, c); err != nil {
			return err
		}
		h.say(ctx, r, "link.confirm_wrong", "Left", linkCodeTries-tries)
		return nil
	}
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	if err := h.People.LinkAccount(ctx, r.Account.ID, p.ID); convene.ErrorCode(err) == convene.ECONFLICT {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.taken"), RemoveKeyboard: true})
		return nil
	} else if err != nil {
		return err
	}
	if err := h.tellOrganizers(ctx, fmt.Sprintf("link-2nd:%d:%s", p.ID, r.Actor()), "org.link_second_channel",
		"Name", p.FullName, "Unit", orDash(p.Unit), "Channel", r.Account.Channel, "Account", r.Name, "Actor", r.Actor()); err != nil {
		return err
	}
	return h.link.linked(ctx, r, p, c.Data["how"]+"+code")
}

// linkConfirmHandlers ask for the code sent on a second channel before a sensitive link.
type linkConfirmHandlers struct {
	*core
	link *linkHandlers
}

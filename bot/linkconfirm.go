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
func (b *Bot) needsSecondChannelProof(ctx context.Context, r *Request, p *convene.Person) (bool, error) {
	accs, err := b.People.FindAccountsByPerson(ctx, p.ID)
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
func (b *Bot) askLinkCode(ctx context.Context, r *Request, p *convene.Person, how string) error {
	accs, err := b.People.FindAccountsByPerson(ctx, p.ID)
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
		b.Logger.Warn("second channel link refused", "actor", r.Actor(), "person", p.ID, "why", why)
		b.reply(ctx, r, Outgoing{Text: b.t(r, "link.confirm_refused"), RemoveKeyboard: true})
		return b.tellOrganizers(ctx, fmt.Sprintf("link-2nd-refused:%d:%s:%s", p.ID, r.Actor(), r.UpdateID), "org.link_second_refused",
			"Name", p.FullName, "Unit", orDash(p.Unit), "Channel", r.Account.Channel, "Account", r.Name, "Actor", r.Actor(), "Why", textRef("link.why_"+why))
	}
	if len(owners) == 0 {
		return refuse("unreachable")
	}
	if ok, err := b.takeLinkCodeQuota(ctx, p.ID); err != nil {
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
		"expires": strconv.FormatInt(b.Now().Add(linkCodeTTL).Unix(), 10), "tries": "0",
	}}
	if err := b.Conversations.SaveConversation(ctx, c); err != nil {
		return err
	}
	msgs := make([]*convene.OutboxMessage, 0, len(owners))
	for _, a := range owners {
		lang := b.langOf(p, a)
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key:         fmt.Sprintf("link-code:%d:%d:%s:%s", p.ID, a.ID, r.Actor(), r.UpdateID),
			Interactive: true, // goes at once, and its code is not kept once sent
			Content: convene.Content{Text: b.Texts.T(lang, "link.code_for_owner", issuerData(r.issuer, map[string]any{
				"Channel": r.Account.Channel, "Account": r.Name, "Code": code, "Minutes": int(linkCodeTTL.Minutes()),
			}))}})
	}
	if _, err := b.Outbox.Enqueue(ctx, msgs); err != nil {
		return err
	}
	b.Wake()
	b.reply(ctx, r, Outgoing{Text: b.t(r, "link.confirm_ask", "Minutes", int(linkCodeTTL.Minutes())), RemoveKeyboard: true})
	return nil
}

// takeLinkCodeQuota counts a code sent for person and reports whether it
// is within linkCodesPerHour.
func (b *Bot) takeLinkCodeQuota(ctx context.Context, personID int64) (bool, error) {
	key := "link-codes:" + itoa(personID)
	v, err := b.State.GetState(ctx, key)
	if err != nil {
		return false, err
	}
	now := b.Now().Unix()
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
	return true, b.State.SetState(ctx, key, fmt.Sprintf("%d:%d", start, count+1))
}

func linkCodeHash(salt []byte, code string) string {
	h := sha256.Sum256(append(append([]byte{}, salt...), code...))
	return hex.EncodeToString(h[:])
}

// flowLinkConfirm takes the code typed on the new channel.
func (b *Bot) flowLinkConfirm(ctx context.Context, r *Request, c *convene.Conversation) error {
	pid, _ := strconv.ParseInt(c.Data["person"], 10, 64)
	p, err := b.People.FindPersonByID(ctx, pid)
	if err != nil {
		_ = b.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	fail := func(textID, why string) error {
		if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
			return err
		}
		b.Logger.Warn("second channel link refused", "actor", r.Actor(), "person", p.ID, "why", why)
		b.say(ctx, r, textID)
		return b.tellOrganizers(ctx, fmt.Sprintf("link-2nd-refused:%d:%s:%s", p.ID, r.Actor(), r.UpdateID), "org.link_second_refused",
			"Name", p.FullName, "Unit", orDash(p.Unit), "Channel", r.Account.Channel, "Account", r.Name, "Actor", r.Actor(), "Why", textRef("link.why_"+why))
	}
	expires, _ := strconv.ParseInt(c.Data["expires"], 10, 64)
	if b.Now().Unix() >= expires {
		return fail("link.confirm_expired", "expired")
	}
	code := strings.Join(strings.Fields(r.Text), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		b.say(ctx, r, "link.confirm_ask", "Minutes", int(linkCodeTTL.Minutes()))
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
		if err := b.Conversations.SaveConversation(ctx, c); err != nil {
			return err
		}
		b.say(ctx, r, "link.confirm_wrong", "Left", linkCodeTries-tries)
		return nil
	}
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	if err := b.People.LinkAccount(ctx, r.Account.ID, p.ID); convene.ErrorCode(err) == convene.ECONFLICT {
		b.reply(ctx, r, Outgoing{Text: b.t(r, "link.taken"), RemoveKeyboard: true})
		return nil
	} else if err != nil {
		return err
	}
	if err := b.tellOrganizers(ctx, fmt.Sprintf("link-2nd:%d:%s", p.ID, r.Actor()), "org.link_second_channel",
		"Name", p.FullName, "Unit", orDash(p.Unit), "Channel", r.Account.Channel, "Account", r.Name, "Actor", r.Actor()); err != nil {
		return err
	}
	return b.linked(ctx, r, p, c.Data["how"]+"+code")
}

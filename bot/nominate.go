package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/texts"
)

// onNominateButton handles the unit invitation's buttons: pick a category
// to nominate in, list the nominees, withdraw or replace one, and confirm
// or cancel a nomination's summary.
func (h *nominateHandlers) onNominateButton(ctx context.Context, r *Request) error {
	d, err := parseNomData(r.CallbackData)
	if err != nil {
		return err
	}
	s, err := h.units.ownUnit(ctx, r, d.Unit)
	if convene.ErrorCode(err) == convene.EFORBIDDEN {
		h.answer(ctx, r, h.t(r, "unit.not_yours"))
		return nil
	} else if err != nil {
		return err
	}
	h.answer(ctx, r, "")
	switch d.Op {
	case nomList:
		return h.listNominations(ctx, r, s)
	case nomYes, nomNo:
		return h.confirmNomination(ctx, r, s, d.Op == nomYes)
	}
	if !s.open(h.core) {
		h.say(ctx, r, "nom.refused_expired", "Unit", s.Unit.Name)
		return nil
	}
	st := nominateState{Step: nomAskName, Unit: s.Unit.ID, Cat: d.Sub}
	if d.Op == nomWithdraw || d.Op == nomReplace {
		n, err := h.unitNomination(ctx, s, d.Sub)
		if err != nil {
			return err
		}
		if d.Op == nomWithdraw {
			return h.withdrawNomination(ctx, r, s, n)
		}
		st.Cat, st.Replace, st.Replaces = n.CategoryID, n.ID, n.Person.FullName
	} else if c := s.count(d.Sub); c == nil || !c.Short() {
		asked := 0
		if c != nil {
			asked = c.Asked
		}
		h.say(ctx, r, "nom.refused_full", "Category", h.categoryName(s, d.Sub), "Asked", asked)
		return nil
	}
	if err := h.Conversations.SaveConversation(ctx, st.conversation(r.Account.ID)); err != nil {
		return err
	}
	return h.askNominee(ctx, r, s, st)
}

// categoryName names a category of the unit's meeting for people.
func (h *nominateHandlers) categoryName(s *unitState, catID int64) string {
	if c := s.count(catID); c != nil {
		return c.CategoryName
	}
	return "?"
}

// askNominee asks the question of the flow's step.
func (h *nominateHandlers) askNominee(ctx context.Context, r *Request, s *unitState, st nominateState) error {
	return h.askNomineeAfter(ctx, r, s, st, "")
}

// askNomineeAfter is askNominee with ack, if not empty, said first in the
// same message (what a shared contact card filled in).
func (h *nominateHandlers) askNomineeAfter(ctx context.Context, r *Request, s *unitState, st nominateState, ack string) error {
	var out Outgoing
	switch st.Step {
	case nomAskName:
		out.Text = h.t(r, "nom.ask_name", "Category", h.categoryName(s, st.Cat), "Unit", s.Unit.Name, "Replaces", st.Replaces)
		if r.channel.Caps().RequestContact {
			out.Text += "\n" + h.t(r, "nom.ask_name_contact")
		}
	case nomAskTitle:
		out.Text = h.t(r, "nom.ask_title", "Name", st.Name)
	case nomAskPhone:
		out.Text = h.t(r, "nom.ask_phone", "Name", st.Name)
	default:
		out = Outgoing{
			Text: h.t(r, "nom.summary", "Name", st.Name, "Title", st.Title, "Phone", texts.Phone(st.Phone),
				"Category", h.categoryName(s, st.Cat), "Unit", s.Unit.Name, "Replaces", st.Replaces),
			Buttons: [][]convene.Button{{
				{Text: h.t(r, "btn.nom_confirm"), Data: nomData{Op: nomYes, Unit: s.Unit.ID}.encode()},
				{Text: h.t(r, "btn.cancel"), Data: nomData{Op: nomNo, Unit: s.Unit.ID}.encode()},
			}},
		}
	}
	if ack != "" {
		out.Text = ack + "\n\n" + out.Text
	}
	h.reply(ctx, r, out)
	return nil
}

// flowNominate takes the nominee's name, title and phone, one a message.
func (h *nominateHandlers) flowNominate(ctx context.Context, r *Request, c *convene.Conversation) error {
	st, err := parseNominateState(c)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	s, err := h.units.ownUnit(ctx, r, st.Unit)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	text := strings.Join(strings.Fields(r.Text), " ")
	if len([]rune(text)) > 200 {
		h.say(ctx, r, "input.too_long", "Max", 200)
		return nil
	}
	if text == "" {
		return h.askNominee(ctx, r, s, st)
	}
	switch st.Step {
	case nomAskName:
		st.Name, st.Step = text, nomAskTitle
	case nomAskTitle:
		st.Title, st.Step = text, nomAskPhone
		if st.Phone != "" {
			st.Step = nomConfirm
		}
	case nomAskPhone:
		phone, err := h.normalizePhone(text)
		if err != nil {
			h.say(ctx, r, "nom.bad_phone")
			return nil
		}
		st.Phone, st.Step = phone, nomConfirm
	}
	if err := h.Conversations.SaveConversation(ctx, st.conversation(r.Account.ID)); err != nil {
		return err
	}
	return h.askNominee(ctx, r, s, st)
}

// nominateContact takes a contact card shared in the nomination flow: it
// fills the nominee's phone, and the name if not given yet. It reports
// false when the account is not in that flow.
func (h *nominateHandlers) nominateContact(ctx context.Context, r *Request) (bool, error) {
	c, err := h.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return false, nil
	} else if err != nil || c.Flow != flowNominate {
		return false, err
	}
	st, err := parseNominateState(c)
	if err != nil {
		return true, err
	}
	s, err := h.units.ownUnit(ctx, r, st.Unit)
	if err != nil {
		return true, err
	}
	phone, err := h.normalizePhone(r.Contact.Phone)
	if err != nil {
		h.say(ctx, r, "nom.bad_phone")
		return true, nil
	}
	st.Phone = phone
	ack := h.t(r, "nom.contact_phone", "Phone", texts.Phone(phone))
	if st.Name == "" {
		st.Name = strings.Join(strings.Fields(r.Contact.Name), " ")
		if st.Name != "" {
			ack = h.t(r, "nom.contact_phone_name", "Phone", texts.Phone(phone), "Name", st.Name)
		}
	}
	switch {
	case st.Name == "":
		st.Step = nomAskName
	case st.Title == "":
		st.Step = nomAskTitle
	default:
		st.Step = nomConfirm
	}
	if err := h.Conversations.SaveConversation(ctx, st.conversation(r.Account.ID)); err != nil {
		return true, err
	}
	return true, h.askNomineeAfter(ctx, r, s, st, ack)
}

// confirmNomination stores the summary's nomination (or replacement), or
// cancels it; a refusal is told with its reason and nothing is stored.
func (h *nominateHandlers) confirmNomination(ctx context.Context, r *Request, s *unitState, ok bool) error {
	c, err := h.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND || (err == nil && c.Flow != flowNominate) {
		return errStale
	} else if err != nil {
		return err
	}
	st, err := parseNominateState(c)
	if err != nil || st.Step != nomConfirm || st.Unit != s.Unit.ID {
		return errStale
	}
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	if !ok {
		h.edit(ctx, r, Outgoing{Text: h.t(r, "org.cancelled")})
		return nil
	}
	nominee := convene.Nominee{FullName: st.Name, Title: st.Title, Phone: st.Phone}
	var n, old *convene.Nomination
	var oldAccs []*convene.Account
	if st.Replace != 0 {
		// Withdrawn meanwhile: Replace refuses it below.
		if old, err = h.unitNomination(ctx, s, st.Replace); err == errStale {
			old = nil
		} else if err != nil {
			return err
		} else if oldAccs, err = h.People.FindAccountsByPerson(ctx, old.PersonID); err != nil {
			return err
		}
		n, err = h.Units.Replace(ctx, st.Replace, nominee, r.Actor())
	} else {
		n, err = h.Units.Nominate(ctx, st.Unit, st.Cat, nominee, r.Actor())
	}
	if err != nil {
		id := nominationRefusal(err)
		if id == "" {
			return err
		}
		h.say(ctx, r, id, "Unit", s.Unit.Name, "Phone", texts.Phone(st.Phone), "Category", h.categoryName(s, st.Cat))
		return nil
	}
	direct, err := h.inviteNomineeDirectly(ctx, s.Meeting, n)
	if err != nil {
		return err
	}
	var note string
	if old != nil {
		if err := h.tellWithdrawn(ctx, s, old, oldAccs, n.Substitutes); err != nil {
			return err
		}
		note = h.substitutesNote(r, old, n.Substitutes)
	}
	if s, err = h.units.loadUnit(ctx, s.Unit.ID); err != nil {
		return err
	}
	row := s.count(n.CategoryID)
	data := []any{"Name", st.Name, "Category", row.CategoryName, "Count", row.Nominated, "Asked", row.Asked,
		"Link", h.Link(ctx, n.Token), "Token", convene.GroupCode(n.Token)}
	text := h.t(r, "nom.done", data...)
	if direct {
		text = h.t(r, "nom.done_direct", data...)
	}
	h.edit(ctx, r, Outgoing{Text: text + note})
	return h.showUnit(ctx, r, s)
}

// showUnit replies with what the unit has nominated and the buttons to go on.
func (h *nominateHandlers) showUnit(ctx context.Context, r *Request, s *unitState) error {
	h.reply(ctx, r, Outgoing{Text: h.unitSummary(r.Lang, s), Buttons: h.units.unitButtons(r.Lang, s)})
	return nil
}

// unitSummary says what the unit has nominated per category, and whether it is done.
func (h *nominateHandlers) unitSummary(lang string, s *unitState) string {
	var lines []string
	short := false
	for _, c := range s.Counts {
		if c.Asked > 0 || c.Nominated > 0 {
			lines = append(lines, h.Texts.T(lang, "unit.state_line", map[string]any{"Category": c.CategoryName, "Nominated": c.Nominated, "Asked": c.Asked}))
		}
		short = short || c.Short()
	}
	text := h.Texts.T(lang, "unit.summary", map[string]any{"Unit": s.Unit.Name, "Title": s.Meeting.Title, "Lines": strings.Join(lines, "\n")})
	switch {
	case !s.open(h.core):
		text += "\n\n" + h.Texts.T(lang, "unit.closed", map[string]any{"Deadline": h.when(lang, s.Meeting, s.Unit.Deadline(s.Meeting))})
	case !short:
		text += "\n\n" + h.Texts.T(lang, "unit.all_sent", nil)
	}
	return text
}

// inviteNomineeDirectly queues the nominee's invitation to their own
// reachable accounts when the phone belonged to a linked person and the
// invitation is issued; it reports whether it did.
func (h *nominateHandlers) inviteNomineeDirectly(ctx context.Context, m *convene.Meeting, n *convene.Nomination) (bool, error) {
	if !n.ExistingPerson {
		return false, nil
	}
	inv, err := h.Invitations.FindInvitationByID(ctx, n.InvitationID)
	if err != nil {
		return false, err
	}
	if inv.IssuedAt.IsZero() {
		return false, nil
	}
	var msgs []*convene.OutboxMessage
	for _, a := range inv.Accounts {
		if a.Reachable {
			msgs = append(msgs, h.invitations.invitationMessages(m, inv, a, "invite")...)
		}
	}
	if len(msgs) == 0 {
		return false, nil
	}
	if _, err := h.Outbox.Enqueue(ctx, msgs); err != nil {
		return false, err
	}
	return true, nil
}

// nominationRefusal returns the text explaining why storage refused a
// nomination, or "" for a fault. ECONFLICT has several causes; storage
// names each with a typed cause (convene.ErrOverQuota…), tested here.
func nominationRefusal(err error) string {
	switch {
	case errors.Is(err, convene.ErrAfterDeadline):
		return "nom.refused_expired"
	case errors.Is(err, convene.ErrOrganizerPhone):
		return "nom.refused_forbidden"
	case errors.Is(err, convene.ErrSamePhone):
		return "nom.refused_dup"
	case errors.Is(err, convene.ErrInvitedElsewhere):
		return "nom.refused_invited"
	case errors.Is(err, convene.ErrOverQuota):
		return "nom.refused_full"
	}
	switch convene.ErrorCode(err) {
	case convene.EEXPIRED:
		return "nom.refused_expired"
	case convene.EFORBIDDEN:
		return "nom.refused_forbidden"
	case convene.EINVALID:
		return "nom.refused_invalid"
	case convene.ENOTFOUND:
		return "err.not_found"
	case convene.ECONFLICT:
		return "nom.refused_conflict"
	}
	return ""
}

// listNominations shows the unit's standing nominees with a withdraw and a
// replace button each, before the deadline.
func (h *nominateHandlers) listNominations(ctx context.Context, r *Request, s *unitState) error {
	noms, err := h.Units.FindNominations(ctx, convene.NominationFilter{UnitID: s.Unit.ID, State: convene.NominationNominated})
	if err != nil {
		return err
	}
	if len(noms) == 0 {
		h.say(ctx, r, "nom.none", "Unit", s.Unit.Name)
		return nil
	}
	var lines []string
	var rows [][]convene.Button
	for i, n := range noms {
		lines = append(lines, h.t(r, "nom.item", "N", i+1, "Name", n.Person.FullName, "Title", n.Person.Title,
			"Phone", texts.Phone(n.Person.Phone), "Category", h.categoryName(s, n.CategoryID)))
		if s.open(h.core) {
			rows = append(rows, []convene.Button{
				{Text: h.t(r, "btn.nom_withdraw", "N", i+1), Data: nomData{Op: nomWithdraw, Unit: s.Unit.ID, Sub: n.ID}.encode()},
				{Text: h.t(r, "btn.nom_replace", "N", i+1), Data: nomData{Op: nomReplace, Unit: s.Unit.ID, Sub: n.ID}.encode()},
			})
		}
	}
	h.reply(ctx, r, Outgoing{Text: h.t(r, "nom.list", "Unit", s.Unit.Name) + "\n" + strings.Join(lines, "\n"), Buttons: rows})
	return nil
}

// unitNomination returns the unit's standing nomination id.
func (h *nominateHandlers) unitNomination(ctx context.Context, s *unitState, id int64) (*convene.Nomination, error) {
	noms, err := h.Units.FindNominations(ctx, convene.NominationFilter{UnitID: s.Unit.ID, State: convene.NominationNominated})
	if err != nil {
		return nil, err
	}
	for _, n := range noms {
		if n.ID == id {
			return n, nil
		}
	}
	return nil, errStale
}

// withdrawNomination withdraws a nominee, tells their linked accounts, and
// shows the unit again.
func (h *nominateHandlers) withdrawNomination(ctx context.Context, r *Request, s *unitState, n *convene.Nomination) error {
	accs, err := h.People.FindAccountsByPerson(ctx, n.PersonID)
	if err != nil {
		return err
	}
	w, err := h.Units.Withdraw(ctx, n.ID, r.Actor())
	if err != nil {
		id := nominationRefusal(err)
		if id == "" {
			return err
		}
		h.say(ctx, r, id, "Unit", s.Unit.Name, "Phone", texts.Phone(n.Person.Phone), "Category", h.categoryName(s, n.CategoryID))
		return nil
	}
	if err := h.tellWithdrawn(ctx, s, n, accs, w.Substitutes); err != nil {
		return err
	}
	if s, err = h.units.loadUnit(ctx, s.Unit.ID); err != nil {
		return err
	}
	h.reply(ctx, r, Outgoing{Text: h.t(r, "nom.withdrawn", "Name", n.Person.FullName, "Category", h.categoryName(s, n.CategoryID)) +
		h.substitutesNote(r, n, w.Substitutes) + "\n\n" + h.unitSummary(r.Lang, s), Buttons: h.units.unitButtons(r.Lang, s)})
	return nil
}

// tellWithdrawn tells the withdrawn (or replaced) nominee n, on accs, that
// the invitation no longer holds, and the substitutes approved for n, whose
// invitations were removed with n's, likewise.
func (h *nominateHandlers) tellWithdrawn(ctx context.Context, s *unitState, n *convene.Nomination, accs []*convene.Account, subs []*convene.Invitee) error {
	var msgs []*convene.OutboxMessage
	for _, a := range accs {
		if a.Reachable {
			msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("nom-withdrawn:%d:%d", n.ID, a.ID),
				Content: convene.Content{Text: h.Texts.T(h.langOf(&n.Person, a), "nom.withdrawn_you",
					map[string]any{"Title": s.Meeting.Title, "Unit": s.Unit.Name})}})
		}
	}
	msgs = append(msgs, h.substitutesWithdrawn(s, n, subs)...)
	if len(msgs) == 0 {
		return nil
	}
	_, err := h.Outbox.Enqueue(ctx, msgs)
	return err
}

// substitutesWithdrawn tells the substitutes approved for the withdrawn
// nominee n, whose invitations were removed with n's, that they no longer
// hold: a message to each reachable account.
func (h *nominateHandlers) substitutesWithdrawn(s *unitState, n *convene.Nomination, subs []*convene.Invitee) []*convene.OutboxMessage {
	var msgs []*convene.OutboxMessage
	for _, v := range subs {
		for _, a := range v.Accounts {
			if !a.Reachable {
				continue
			}
			msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("nom-sub-withdrawn:%d:%d:%d", n.ID, v.ID, a.ID),
				Content: convene.Content{Text: h.Texts.T(h.langOf(&v.Person, a), "nom.sub_withdrawn_you",
					issuerData(s.Meeting.Issuer, map[string]any{"Title": s.Meeting.Title, "Unit": s.Unit.Name, "Name": n.Person.FullName}))}})
		}
	}
	return msgs
}

// substitutesNote tells the representative, after the text saying n was
// withdrawn, that n's substitutes were withdrawn too; "" if there were none.
func (h *nominateHandlers) substitutesNote(r *Request, n *convene.Nomination, subs []*convene.Invitee) string {
	if len(subs) == 0 {
		return ""
	}
	names := make([]string, len(subs))
	for i, v := range subs {
		names[i] = v.Person.FullName
	}
	return "\n" + h.t(r, "nom.withdrawn_subs", "Name", n.Person.FullName, "Subs", strings.Join(names, ", "))
}

// nomOp is what a nomination button does.
type nomOp string

const (
	nomPick     nomOp = "p" // nominate in category Sub
	nomList     nomOp = "l" // list the standing nominees
	nomWithdraw nomOp = "w" // withdraw nomination Sub
	nomReplace  nomOp = "r" // nominate someone in place of nomination Sub
	nomYes      nomOp = "y" // confirm the summary
	nomNo       nomOp = "n" // cancel the summary
)

// nomData is the callback data of the nomination buttons:
// "nom:<op>:<unit id>[:<category or nomination id>]".
type nomData struct {
	Op   nomOp
	Unit int64
	Sub  int64 // category (pick) or nomination (withdraw, replace)
}

func (d nomData) encode() string {
	s := "nom:" + string(d.Op) + ":" + itoa(d.Unit)
	switch d.Op {
	case nomPick, nomWithdraw, nomReplace:
		s += ":" + itoa(d.Sub)
	}
	return s
}

// parseNomData reads nomData: errStale for another shape or op, EINVALID
// for a bad id.
func parseNomData(s string) (nomData, error) {
	p := strings.Split(s, ":")
	if len(p) < 3 || p[0] != "nom" {
		return nomData{}, errStale
	}
	d := nomData{Op: nomOp(p[1])}
	var err error
	if d.Unit, err = strconv.ParseInt(p[2], 10, 64); err != nil {
		return nomData{}, convene.Errorf(convene.EINVALID, "bad unit id")
	}
	switch d.Op {
	case nomPick, nomWithdraw, nomReplace:
		if len(p) != 4 {
			return nomData{}, errStale
		}
		if d.Sub, err = strconv.ParseInt(p[3], 10, 64); err != nil {
			return nomData{}, convene.Errorf(convene.EINVALID, "bad id")
		}
	case nomList, nomYes, nomNo:
		if len(p) != 3 {
			return nomData{}, errStale
		}
	default:
		return nomData{}, errStale
	}
	return d, nil
}

const flowNominate = "nominate"

// nomStep is the question the nomination flow asks next.
type nomStep string

const (
	nomAskName  nomStep = "name"
	nomAskTitle nomStep = "title"
	nomAskPhone nomStep = "phone"
	nomConfirm  nomStep = "confirm"
)

// nominateState is the nomination flow's: the unit and category, the
// nomination replaced (0: none) and its nominee's name, and the nominee as
// given so far.
type nominateState struct {
	Step               nomStep
	Unit, Cat, Replace int64
	Replaces           string
	Name, Title, Phone string
}

func (s nominateState) conversation(accountID int64) *convene.Conversation {
	data := map[string]string{"unit": itoa(s.Unit), "cat": itoa(s.Cat)}
	for k, v := range map[string]string{"name": s.Name, "title": s.Title, "phone": s.Phone, "replaces": s.Replaces} {
		if v != "" {
			data[k] = v
		}
	}
	if s.Replace != 0 {
		data["replace"] = itoa(s.Replace)
	}
	return &convene.Conversation{AccountID: accountID, Flow: flowNominate, Step: string(s.Step), Data: data}
}

func parseNominateState(c *convene.Conversation) (nominateState, error) {
	s := nominateState{Step: nomStep(c.Step), Name: c.Data["name"], Title: c.Data["title"], Phone: c.Data["phone"], Replaces: c.Data["replaces"]}
	var err error
	if s.Unit, err = strconv.ParseInt(c.Data["unit"], 10, 64); err != nil {
		return s, convene.Errorf(convene.EINVALID, "bad unit id")
	}
	if s.Cat, err = strconv.ParseInt(c.Data["cat"], 10, 64); err != nil {
		return s, convene.Errorf(convene.EINVALID, "bad category id")
	}
	if v := c.Data["replace"]; v != "" {
		if s.Replace, err = strconv.ParseInt(v, 10, 64); err != nil {
			return s, convene.Errorf(convene.EINVALID, "bad nomination id")
		}
	}
	switch s.Step {
	case nomAskName, nomAskTitle, nomAskPhone, nomConfirm:
		return s, nil
	}
	return s, convene.Errorf(convene.EINVALID, "bad step %q", s.Step)
}

// nominateHandlers let a unit's representative nominate, list and withdraw its delegates.
type nominateHandlers struct {
	*core
	units       *unitHandlers
	invitations *invitations
}

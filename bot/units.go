package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/convene/convene"
)

// linkUnitToken links the sender as the representative of the unit whose
// token is one of codes, tried in order (the fallback of linkToken when no
// invitation has any of them).
func (h *unitHandlers) linkUnitToken(ctx context.Context, r *Request, codes []string) error {
	var u *convene.Unit
	for _, token := range codes {
		if h.Units == nil {
			break
		}
		found, err := h.Units.FindUnitByToken(ctx, token)
		if convene.ErrorCode(err) == convene.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		u = found
		break
	}
	if u == nil {
		h.say(ctx, r, "link.unknown")
		return nil
	}
	p, err := h.People.FindPersonByID(ctx, u.RepPersonID)
	if err != nil {
		return err
	}
	return h.link.linkPerson(ctx, r, p, "unit-token")
}

// unitState is what a unit has nominated so far, per category asked.
type unitState struct {
	Unit    *convene.Unit
	Meeting *convene.Meeting
	Counts  []convene.UnitCount // the unit's rows, in plan order
}

// open reports whether the unit may still nominate (before its deadline).
func (s *unitState) open(b *core) bool { return !b.Now().After(s.Unit.Deadline(s.Meeting)) }

// count returns the unit's row for a category, or nil.
func (s *unitState) count(catID int64) *convene.UnitCount {
	for i := range s.Counts {
		if s.Counts[i].CategoryID == catID {
			return &s.Counts[i]
		}
	}
	return nil
}

// loadUnit loads a unit, its meeting and its counts.
func (h *unitHandlers) loadUnit(ctx context.Context, id int64) (*unitState, error) {
	u, err := h.Units.FindUnitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := h.Meetings.FindMeetingByID(ctx, u.MeetingID)
	if err != nil {
		return nil, err
	}
	all, err := h.Units.UnitCounts(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	s := &unitState{Unit: u, Meeting: m}
	for _, c := range all {
		if c.UnitID == u.ID {
			s.Counts = append(s.Counts, c)
		}
	}
	return s, nil
}

// ownUnit loads the unit id and checks the sender represents it.
func (h *unitHandlers) ownUnit(ctx context.Context, r *Request, id int64) (*unitState, error) {
	s, err := h.loadUnit(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Person == nil || s.Unit.RepPersonID != r.Person.ID {
		return nil, convene.Errorf(convene.EFORBIDDEN, "not the representative of unit %d", id)
	}
	return s, nil
}

// unitInvitationText renders the unit invitation: what the unit is asked
// to send, the meeting, the deadline and what it has sent so far.
func (h *unitHandlers) unitInvitationText(lang string, s *unitState) string {
	m, u := s.Meeting, s.Unit
	var asked, sent []string
	for _, c := range s.Counts {
		if c.Asked == 0 {
			continue
		}
		asked = append(asked, h.Texts.T(lang, "unit.asked_line", map[string]any{"Count": fmt.Sprintf("%02d", c.Asked), "Category": c.CategoryName}))
		sent = append(sent, h.Texts.T(lang, "unit.state_line", map[string]any{"Category": c.CategoryName, "Nominated": c.Nominated, "Asked": c.Asked}))
	}
	return h.Texts.T(lang, "unit.invite_body", map[string]any{
		"Org": m.Organization, "Unit": u.Name, "Name": u.Rep.FullName, "Title": m.Title,
		"When": h.when(lang, m, m.StartsAt), "End": h.endClock(m), "Venue": m.Venue, "Address": m.Address,
		"Asked": strings.Join(asked, "\n"), "Deadline": h.when(lang, m, u.Deadline(m)),
	}) + "\n\n" + h.Texts.T(lang, "unit.state", map[string]any{"Lines": strings.Join(sent, "\n")})
}

// unitButtons are a button per category still open to nominate, then the
// list of nominees; none after the deadline.
func (h *unitHandlers) unitButtons(lang string, s *unitState) [][]convene.Button {
	if !s.open(h.core) {
		return nil
	}
	var rows [][]convene.Button
	for _, c := range s.Counts {
		if c.Short() {
			rows = append(rows, []convene.Button{{Text: h.Texts.T(lang, "btn.nominate", map[string]any{"Category": clip(c.CategoryName, 48)}),
				Data: nomData{Op: nomPick, Unit: s.Unit.ID, Sub: c.CategoryID}.encode()}})
		}
	}
	for _, c := range s.Counts {
		if c.Nominated > 0 {
			rows = append(rows, []convene.Button{{Text: h.Texts.T(lang, "btn.nominations", nil), Data: nomData{Op: nomList, Unit: s.Unit.ID}.encode()}})
			break
		}
	}
	return rows
}

// unitInvitationContent is the unit invitation with its buttons.
func (h *unitHandlers) unitInvitationContent(lang string, s *unitState) convene.Content {
	c := convene.Content{Text: h.unitInvitationText(lang, s), Buttons: h.unitButtons(lang, s)}
	if !s.open(h.core) {
		c.Text += "\n\n" + h.Texts.T(lang, "unit.closed", map[string]any{"Deadline": h.when(lang, s.Meeting, s.Unit.Deadline(s.Meeting))})
	}
	if row := h.materialsButton(lang, s.Meeting); row != nil {
		c.Buttons = append(c.Buttons, row)
	}
	return c
}

// unitInvitationMessages are the outbox messages of a unit invitation to
// the representative's reachable accounts (acc only, if set); their key
// makes a second enqueue a no-op.
func (h *unitHandlers) unitInvitationMessages(ctx context.Context, s *unitState, acc *convene.Account) ([]*convene.OutboxMessage, error) {
	accs := []*convene.Account{acc}
	if acc == nil {
		var err error
		if accs, err = h.People.FindAccountsByPerson(ctx, s.Unit.RepPersonID); err != nil {
			return nil, err
		}
	}
	p, err := h.People.FindPersonByID(ctx, s.Unit.RepPersonID)
	if err != nil {
		return nil, err
	}
	var msgs []*convene.OutboxMessage
	for _, a := range accs {
		if !a.Reachable {
			continue
		}
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: fmt.Sprintf("unit-invite:%d:%d", s.Unit.ID, a.ID), Ref: "unit:" + itoa(s.Unit.ID), Batch: "invite:" + itoa(s.Meeting.ID),
			Content: h.unitInvitationContent(h.langOf(p, a), s)})
	}
	return msgs, nil
}

// issueUnitInvitations marks the meeting's units issued and queues the unit
// invitation to each linked representative not issued before; returns how
// many messages it queued. Runs in the caller's transaction.
func (h *unitHandlers) issueUnitInvitations(ctx context.Context, m *convene.Meeting, notify int64) (int, error) {
	if h.Units == nil {
		return 0, nil
	}
	units, err := h.Units.FindUnits(ctx, m.ID)
	if err != nil {
		return 0, err
	}
	var ids []int64
	var msgs []*convene.OutboxMessage
	for _, u := range units {
		if !u.IssuedAt.IsZero() {
			continue
		}
		ids = append(ids, u.ID)
		s, err := h.loadUnit(ctx, u.ID)
		if err != nil {
			return 0, err
		}
		ms, err := h.unitInvitationMessages(ctx, s, nil)
		if err != nil {
			return 0, err
		}
		for _, msg := range ms {
			msg.NotifyAccount = notify
		}
		msgs = append(msgs, ms...)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := h.Units.IssueUnits(ctx, m.ID, ids); err != nil {
		return 0, err
	}
	if len(msgs) > 0 {
		if _, err := h.Outbox.Enqueue(ctx, msgs); err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}

// issuedUnitMessages are the unit invitations already issued to units p
// represents, for acc: a representative who links after issue gets them.
func (h *unitHandlers) issuedUnitMessages(ctx context.Context, p *convene.Person, acc *convene.Account) ([]*convene.OutboxMessage, error) {
	if h.Units == nil {
		return nil, nil
	}
	units, err := h.Units.FindUnitsByRep(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var msgs []*convene.OutboxMessage
	for _, u := range units {
		if u.IssuedAt.IsZero() {
			continue
		}
		s, err := h.loadUnit(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if s.Meeting.Status == convene.StatusClosed || h.Now().After(s.Meeting.End()) {
			continue
		}
		ms, err := h.unitInvitationMessages(ctx, s, acc)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, ms...)
	}
	return msgs, nil
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// UnitNudgeMessages builds, for the scheduler's daily job, a reminder to
// the representative of each unit of m issued its invitation, short of
// delegates, and before its nomination deadline at t; each message's key
// starts with key.
func (b *Bot) UnitNudgeMessages(ctx context.Context, m *convene.Meeting, t time.Time, key string) ([]*convene.OutboxMessage, error) {
	if b.Units == nil {
		return nil, nil
	}
	units, err := b.Units.FindUnits(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var msgs []*convene.OutboxMessage
	for _, u := range units {
		if u.IssuedAt.IsZero() || !t.Before(u.Deadline(m)) {
			continue
		}
		s, err := b.units.loadUnit(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if s.short() == 0 {
			continue
		}
		ms, err := b.units.unitInvitationMessages(ctx, s, nil)
		if err != nil {
			return nil, err
		}
		for _, msg := range ms {
			a, err := b.People.FindAccountByID(ctx, msg.AccountID)
			if err != nil {
				return nil, err
			}
			lang := b.langOf(nil, a)
			msg.Key, msg.Batch, msg.Ref = fmt.Sprintf("%s:%d:%d", key, u.ID, a.ID), key, ""
			msg.Content.Text = b.Texts.T(lang, "unit.nudge", map[string]any{"Unit": u.Name, "Title": m.Title,
				"Deadline": b.when(lang, m, u.Deadline(m))}) + "\n\n" + b.nominate.unitSummary(lang, s)
		}
		msgs = append(msgs, ms...)
	}
	return msgs, nil
}

// short counts the unit's categories short of delegates.
func (s *unitState) short() int {
	n := 0
	for _, c := range s.Counts {
		if c.Short() {
			n++
		}
	}
	return n
}

// unitsShort counts a meeting's units short of delegates, for the digest.
func (h *unitHandlers) unitsShort(ctx context.Context, m *convene.Meeting) (int, error) {
	if h.Units == nil {
		return 0, nil
	}
	counts, err := h.Units.UnitCounts(ctx, m.ID)
	if err != nil {
		return 0, err
	}
	short := map[int64]bool{}
	for _, c := range counts {
		if c.Short() {
			short[c.UnitID] = true
		}
	}
	return len(short), nil
}

// unitHandlers link a unit's representatives and build the units' invitations.
type unitHandlers struct {
	*core
	link *linkHandlers
}

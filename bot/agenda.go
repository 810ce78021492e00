package bot

import (
	"context"
	"strings"

	"github.com/convene/convene"
)

// cmdUnits shows organizers, per unit and category of a meeting, what was
// asked and what came (/units CODE); a representative sees their own units.
func (h *agendaHandlers) cmdUnits(ctx context.Context, r *Request) error {
	if !r.Organizer {
		return h.repUnits(ctx, r)
	}
	if !r.Private {
		h.say(ctx, r, "org.private_only", "Command", "units")
		return nil
	}
	m, _, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	return h.showUnits(ctx, r, m, 0, false)
}

// showUnits shows the totals and one page of units (PageSize units) with
// what each was asked and sent per category, with the pager: a meeting of
// 300 units is 30 pages of one message each, not 20 messages paced at a
// second each.
func (b *core) showUnits(ctx context.Context, r *Request, m *convene.Meeting, page int, edit bool) error {
	counts, err := b.Units.UnitCounts(ctx, m.ID)
	if err != nil {
		return err
	}
	if len(counts) == 0 {
		b.say(ctx, r, "units.none", "Title", m.Title)
		return nil
	}
	short := map[int64]bool{}
	var units []int64
	asked, nominated := 0, 0
	for i, c := range counts {
		asked, nominated = asked+c.Asked, nominated+c.Nominated
		if c.Short() {
			short[c.UnitID] = true
		}
		if i == 0 || c.UnitID != counts[i-1].UnitID {
			units = append(units, c.UnitID)
		}
	}
	if page*b.PageSize >= len(units) {
		page = (len(units) - 1) / b.PageSize
	}
	shown := map[int64]bool{}
	for _, id := range units[page*b.PageSize : min(len(units), (page+1)*b.PageSize)] {
		shown[id] = true
	}
	var sb strings.Builder
	sb.WriteString(b.t(r, "units.header", "Title", m.Title, "Asked", asked, "Nominated", nominated, "Short", len(short)))
	var unit int64
	for _, c := range counts {
		if !shown[c.UnitID] {
			continue
		}
		if c.UnitID != unit {
			unit = c.UnitID
			sb.WriteString("\n" + b.t(r, "units.unit", "Unit", c.Unit, "Short", short[c.UnitID]))
		}
		sb.WriteString("\n" + b.t(r, "units.line", "Category", c.CategoryName, "Asked", c.Asked,
			"Nominated", c.Nominated, "Linked", c.Linked, "Attending", c.Attending))
	}
	out := Outgoing{Text: sb.String(), Buttons: b.pager(r, pageUnits, m.ID, page, len(units))}
	if edit {
		b.edit(ctx, r, out)
	} else {
		b.reply(ctx, r, out)
	}
	return nil
}

// repUnits shows a representative their units of meetings not closed,
// with the buttons to nominate; anyone else is refused.
func (h *agendaHandlers) repUnits(ctx context.Context, r *Request) error {
	if r.Person == nil {
		return convene.Errorf(convene.EFORBIDDEN, "/units")
	}
	units, err := h.Units.FindUnitsByRep(ctx, r.Person.ID)
	if err != nil {
		return err
	}
	shown := 0
	for _, u := range units {
		s, err := h.units.loadUnit(ctx, u.ID)
		if err != nil {
			return err
		}
		if s.Meeting.Status == convene.StatusClosed {
			continue
		}
		shown++
		if err := h.nominate.showUnit(ctx, r, s); err != nil {
			return err
		}
	}
	if shown == 0 {
		if r.Person.Role != convene.RoleUnitRep {
			return convene.Errorf(convene.EFORBIDDEN, "/units")
		}
		h.say(ctx, r, "unit.none")
	}
	return nil
}

// cmdAgenda shows a meeting's program to its invitees, representatives,
// staff and organizers: /agenda [CODE].
func (h *agendaHandlers) cmdAgenda(ctx context.Context, r *Request) error {
	if r.Person == nil && !r.Organizer {
		h.say(ctx, r, "hint.not_linked")
		return nil
	}
	meetings, err := h.requestedMeetings(ctx, r, "agenda.not_invited")
	if err != nil || meetings == nil {
		return err
	}
	for _, m := range meetings {
		h.reply(ctx, r, Outgoing{Text: h.agendaText(r.Lang, m)})
	}
	return nil
}

// requestedMeetings returns the meetings a command's argument [CODE] names
// for the requester: for organizers and staff the meeting named (or the only
// open one); for others those of theirs it names, all of theirs without a
// code. When none is theirs it tells them so with notInvited and returns nil.
func (h *agendaHandlers) requestedMeetings(ctx context.Context, r *Request, notInvited string) ([]*convene.Meeting, error) {
	code := strings.ToLower(strings.TrimSpace(r.Args))
	if r.Organizer || r.Staff || (r.Person != nil && r.Person.Role == convene.RoleStaff) {
		m, _, err := h.meetingArg(ctx, r, code)
		if err != nil {
			return nil, err
		}
		return []*convene.Meeting{m}, nil
	}
	mine, err := h.personMeetings(ctx, r.Person)
	if err != nil {
		return nil, err
	}
	var meetings []*convene.Meeting
	for _, m := range mine {
		if code == "" || m.Code == code {
			meetings = append(meetings, m)
		}
	}
	if len(meetings) == 0 {
		h.say(ctx, r, notInvited)
		return nil, nil
	}
	return meetings, nil
}

// personMeetings returns the meetings not closed that p is invited to or
// names delegates for.
func (h *agendaHandlers) personMeetings(ctx context.Context, p *convene.Person) ([]*convene.Meeting, error) {
	ids := map[int64]bool{}
	var out []*convene.Meeting
	add := func(id int64) error {
		if ids[id] {
			return nil
		}
		ids[id] = true
		m, err := h.Meetings.FindMeetingByID(ctx, id)
		if err != nil {
			return err
		}
		if m.Status != convene.StatusClosed {
			out = append(out, m)
		}
		return nil
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{PersonID: p.ID})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		if err := add(inv.MeetingID); err != nil {
			return nil, err
		}
	}
	if h.Units != nil {
		units, err := h.Units.FindUnitsByRep(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if err := add(u.MeetingID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// agendaText renders a meeting's program: time, title, presenter, and the chair.
func (h *agendaHandlers) agendaText(lang string, m *convene.Meeting) string {
	var sb strings.Builder
	sb.WriteString(h.Texts.T(lang, "agenda.header", map[string]any{"Title": m.Title, "When": h.when(lang, m, m.StartsAt),
		"Venue": m.Venue, "Address": m.Address}))
	sb.WriteString("\n\n")
	if m.Program.Empty() {
		sb.WriteString(h.Texts.T(lang, "agenda.none", map[string]any{"Agenda": m.Agenda}))
		return sb.String()
	}
	sb.WriteString(h.programText(lang, m))
	return sb.String()
}

// programText renders a meeting's program, one line per item (time, title,
// presenter), then who chairs; "" for a meeting without one.
func (c *core) programText(lang string, m *convene.Meeting) string {
	var sb strings.Builder
	for _, it := range m.Program.Items {
		sb.WriteString(c.Texts.T(lang, "agenda.item", map[string]any{"Clock": it.At.In(m.Location()).Format("15:04"),
			"Item": it.Title, "Presenter": it.Presenter}))
		sb.WriteString("\n")
	}
	if m.Program.Chair != "" {
		sb.WriteString("\n")
		sb.WriteString(c.Texts.T(lang, "agenda.chair", map[string]any{"Chair": m.Program.Chair}))
	}
	return strings.TrimRight(sb.String(), "\n")
}

// agendaHandlers show a meeting's agenda and its units' state.
type agendaHandlers struct {
	*core
	units    *unitHandlers
	nominate *nominateHandlers
}

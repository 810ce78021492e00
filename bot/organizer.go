package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// meetingArg resolves the meeting code that starts args; with no code it
// takes the only open meeting. It returns the rest of args.
func (b *core) meetingArg(ctx context.Context, r *Request, args string) (*convene.Meeting, string, error) {
	code, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	if code != "" {
		m, err := b.Meetings.FindMeetingByCode(ctx, strings.ToLower(code))
		if err != nil {
			return nil, "", err
		}
		r.about(m)
		return m, strings.TrimSpace(rest), nil
	}
	open, err := b.openMeetings(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(open) == 1 {
		r.about(open[0])
		return open[0], "", nil
	}
	codes := make([]string, len(open))
	for i, m := range open {
		codes[i] = m.Code
	}
	b.say(ctx, r, "org.which_meeting", "Command", r.Command, "Codes", strings.Join(codes, ", "))
	return nil, "", errAnswered
}

// openMeetings returns meetings not closed, by start.
func (b *core) openMeetings(ctx context.Context) ([]*convene.Meeting, error) {
	all, err := b.Meetings.FindMeetings(ctx, convene.MeetingFilter{})
	if err != nil {
		return nil, err
	}
	var out []*convene.Meeting
	for _, m := range all {
		if m.Status != convene.StatusClosed {
			out = append(out, m)
		}
	}
	return out, nil
}

func (h *organizerHandlers) cmdMeetings(ctx context.Context, r *Request) error {
	all, err := h.Meetings.FindMeetings(ctx, convene.MeetingFilter{})
	if err != nil {
		return err
	}
	if len(all) == 0 {
		h.say(ctx, r, "org.no_meetings")
		return nil
	}
	var sb strings.Builder
	sb.WriteString(h.t(r, "org.meetings_title"))
	for _, m := range all {
		st, err := h.Invitations.MeetingStats(ctx, m.ID)
		if err != nil {
			return err
		}
		sb.WriteString("\n\n")
		sb.WriteString(h.t(r, "org.meeting_line", "Code", m.Code, "Title", m.Title, "When", h.when(r.Lang, m, m.StartsAt),
			"Status", h.t(r, "status."+string(m.Status)), "Invited", st.Total.Invited, "Attending", st.Total.Attending, "Linked", st.Total.Linked))
	}
	h.reply(ctx, r, Outgoing{Text: sb.String()})
	return nil
}

// countsLine renders one line of counts.
func (h *organizerHandlers) countsLine(r *Request, name string, c convene.Counts) string {
	return h.t(r, "org.counts_line", "Name", name, "Invited", c.Invited, "Linked", c.Linked,
		"Attending", c.Attending, "Declined", c.Declined, "Substitute", c.Substitute, "Pending", c.Pending,
		"Present", c.Present+c.Late)
}

func (h *organizerHandlers) cmdStatus(ctx context.Context, r *Request) error {
	m, _, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	return h.cmdStatusOf(ctx, r, m)
}

// cmdStatusOf replies with m's counts, in all and by category and unit.
func (h *organizerHandlers) cmdStatusOf(ctx context.Context, r *Request, m *convene.Meeting) error {
	st, err := h.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(h.t(r, "org.status_title", "Title", m.Title, "Code", m.Code, "When", h.when(r.Lang, m, m.StartsAt)))
	sb.WriteString("\n\n")
	sb.WriteString(h.countsLine(r, h.t(r, "org.total"), st.Total))
	sb.WriteString("\n\n" + h.t(r, "org.by_category"))
	for _, g := range st.ByCategory {
		sb.WriteString("\n" + h.countsLine(r, g.Name, g.Counts))
	}
	sb.WriteString("\n\n" + h.t(r, "org.by_unit"))
	for _, g := range st.ByUnit {
		sb.WriteString("\n" + h.countsLine(r, g.Name, g.Counts))
	}
	h.reply(ctx, r, Outgoing{Text: sb.String()})
	return nil
}

func (h *organizerHandlers) cmdPending(ctx context.Context, r *Request) error {
	m, _, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if err := h.showPending(ctx, r, m, 0, false); err != nil {
		return err
	}
	return h.showSubstituteRequests(ctx, r, m)
}

// maxSubRequests bounds the substitute requests /pending re-offers at once.
const maxSubRequests = 10

// showSubstituteRequests re-offers the substitute requests of m awaiting a
// decision: a request made while no organizer was linked, or whose message
// was lost, is decided here.
func (h *organizerHandlers) showSubstituteRequests(ctx context.Context, r *Request, m *convene.Meeting) error {
	return h.rsvp.offerSubstituteRequests(ctx, r, m)
}

// offerSubstituteRequests offers the substitute requests of m awaiting a
// decision. With buttons, each request is its own message with its approve
// and reject buttons. On a text-only channel, where only the last numbered
// list can be answered, they are one message whose numbered choices name
// each request (approve · reject for each), and after every decision the
// requests still waiting are offered again, so each can be answered by
// number in turn.
func (h *rsvpHandlers) offerSubstituteRequests(ctx context.Context, r *Request, m *convene.Meeting) error {
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPSubstitute}})
	if err != nil {
		return err
	}
	var proposed []*convene.Invitee
	for _, inv := range invs {
		if inv.SubstituteStatus == "proposed" {
			proposed = append(proposed, inv)
		}
	}
	if len(proposed) == 0 {
		return nil
	}
	title := h.t(r, "org.sub_requests_title", "Title", m.Title, "Count", len(proposed),
		"Shown", min(len(proposed), maxSubRequests), "More", len(proposed) > maxSubRequests)
	shown := proposed[:min(len(proposed), maxSubRequests)]
	if r.channel.Caps().Buttons {
		h.reply(ctx, r, Outgoing{Text: title})
		for _, inv := range shown {
			match, _, err := h.substituteMatch(ctx, inv.SubstitutePhone)
			if err != nil {
				return err
			}
			h.reply(ctx, r, h.subProposal(r.Lang, inv, m, inv.SubstituteName, inv.SubstituteTitle, inv.SubstitutePhone, match))
		}
		return nil
	}
	parts := []string{title}
	var rows [][]convene.Button
	for _, inv := range shown {
		match, _, err := h.substituteMatch(ctx, inv.SubstitutePhone)
		if err != nil {
			return err
		}
		parts = append(parts, h.subProposal(r.Lang, inv, m, inv.SubstituteName, inv.SubstituteTitle, inv.SubstitutePhone, match).Text)
		names := []any{"SubName", inv.SubstituteName, "Name", inv.Person.FullName}
		rows = append(rows, []convene.Button{
			{Text: h.t(r, "btn.sub_approve_named", names...), Data: subData{Inv: inv.ID, Approve: true}.encode()},
			{Text: h.t(r, "btn.sub_reject_named", names...), Data: subData{Inv: inv.ID}.encode()},
		})
	}
	h.reply(ctx, r, Outgoing{Text: strings.Join(parts, "\n\n"), Buttons: rows})
	return nil
}

// offerRemaining offers again, on a text-only channel, the requests still
// awaiting a decision: a numbered list answers once.
func (h *rsvpHandlers) offerRemaining(ctx context.Context, r *Request, m *convene.Meeting) error {
	if r.channel.Caps().Buttons {
		return nil
	}
	return h.offerSubstituteRequests(ctx, r, m)
}

// showPending shows one page of who hasn't answered, grouped by unit.
func (h *organizerHandlers) showPending(ctx context.Context, r *Request, m *convene.Meeting, page int, edit bool) error {
	invs, total, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{
		MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPPending}, Offset: page * h.PageSize, Limit: h.PageSize})
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(h.t(r, "org.pending_title", "Title", m.Title, "Count", total))
	if total == 0 {
		sb.WriteString("\n\n" + h.t(r, "org.pending_none"))
	}
	unit := "\x00"
	for i, inv := range invs {
		if inv.Person.Unit != unit {
			unit = inv.Person.Unit
			sb.WriteString("\n\n▪ " + orDash(unit))
		}
		linked := h.t(r, "org.linked_yes")
		if !inv.Linked() {
			linked = h.t(r, "org.linked_no")
		}
		fmt.Fprintf(&sb, "\n%d. %s — %s (%s)", page*h.PageSize+i+1, inv.Person.FullName, inv.Category.Name, linked)
	}
	out := Outgoing{Text: sb.String(), Buttons: h.pager(r, pagePending, m.ID, page, total)}
	if edit {
		h.edit(ctx, r, out)
	} else {
		h.reply(ctx, r, out)
	}
	return nil
}

// pager returns previous/next buttons for a paged list, or none if it fits one page.
func (b *core) pager(r *Request, kind pageKind, meetingID int64, page, total int) [][]convene.Button {
	pages := (total + b.PageSize - 1) / b.PageSize
	if pages <= 1 {
		return nil
	}
	var row []convene.Button
	if page > 0 {
		row = append(row, convene.Button{Text: b.t(r, "btn.prev"), Data: pageData{Kind: kind, Meeting: meetingID, Page: page - 1}.encode()})
	}
	if r.channel.Caps().Buttons {
		// On a text-only channel a page counter would read as a numbered choice.
		row = append(row, convene.Button{Text: fmt.Sprintf("%d/%d", page+1, pages), Data: pageData{Kind: kind, Meeting: meetingID, Page: page}.encode()})
	}
	if page+1 < pages {
		row = append(row, convene.Button{Text: b.t(r, "btn.next"), Data: pageData{Kind: kind, Meeting: meetingID, Page: page + 1}.encode()})
	}
	return [][]convene.Button{row}
}

// onPage turns the page of a paged list.
func (h *organizerHandlers) onPage(ctx context.Context, r *Request) error {
	d, err := parsePageData(r.CallbackData)
	if err != nil {
		return err
	}
	if !r.Organizer && !(r.Staff && d.Kind == pageRollcall) {
		return convene.Errorf(convene.EFORBIDDEN, "page")
	}
	m, err := h.Meetings.FindMeetingByID(ctx, d.Meeting)
	if err != nil {
		return err
	}
	r.about(m)
	h.answer(ctx, r, "")
	switch d.Kind {
	case pagePending:
		return h.showPending(ctx, r, m, d.Page, true)
	case pageRollcall:
		return h.checkin.showRollcall(ctx, r, m, d.Page, d.Query, true)
	case pageUnits:
		return h.showUnits(ctx, r, m, d.Page, true)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// cmdInvite shows how many invitees are linked and asks to confirm issuing.
func (h *organizerHandlers) cmdInvite(ctx context.Context, r *Request) error {
	m, _, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	st, err := h.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return err
	}
	h.reply(ctx, r, Outgoing{
		Text: h.t(r, "org.invite_confirm", "Title", m.Title, "Invited", st.Total.Invited, "Linked", st.Total.Linked,
			"Unlinked", st.Total.Invited-st.Total.Linked, "Issued", st.Total.Issued),
		Buttons: [][]convene.Button{{
			{Text: h.t(r, "btn.confirm_send"), Data: inviteData{Meeting: m.ID, OK: true}.encode()},
			{Text: h.t(r, "btn.cancel"), Data: inviteData{Meeting: m.ID}.encode()},
		}},
	})
	return nil
}

// onInviteConfirm issues the invitations once the organizer confirms.
func (h *organizerHandlers) onInviteConfirm(ctx context.Context, r *Request) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "invite")
	}
	d, err := parseInviteData(r.CallbackData)
	if err != nil {
		return err
	}
	m, err := h.Meetings.FindMeetingByID(ctx, d.Meeting)
	if err != nil {
		return err
	}
	r.about(m)
	h.answer(ctx, r, "")
	if !d.OK {
		h.edit(ctx, r, Outgoing{Text: h.t(r, "org.cancelled")})
		return nil
	}
	res, err := h.invitations.IssueInvitations(ctx, m.Code, r.Actor(), r.Account.ID)
	if err != nil {
		return err
	}
	h.edit(ctx, r, Outgoing{Text: h.t(r, "org.invite_done", "Title", m.Title, "Queued", res.Queued, "Unlinked", res.Unlinked)})
	return nil
}

// reportFiles are the report formats /report sends, with their MIME types;
// the first is the default.
var reportFiles = []struct{ format, mime string }{
	{"pdf", "application/pdf"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"csv", "text/csv"},
}

// cmdReport sends the report as a file: /report [CODE] [pdf|xlsx|csv], the
// PDF unless another format is named. A channel that can't send files gets
// the counts and is told where the files are.
func (h *organizerHandlers) cmdReport(ctx context.Context, r *Request) error {
	args := strings.Fields(strings.ToLower(r.Args))
	format := reportFiles[0]
	if n := len(args); n > 0 {
		for _, f := range reportFiles {
			if args[n-1] == f.format {
				format, args = f, args[:n-1]
				break
			}
		}
	}
	if len(args) > 1 {
		h.say(ctx, r, "org.report_usage")
		return nil
	}
	m, _, err := h.meetingArg(ctx, r, strings.Join(args, " "))
	if err != nil {
		return err
	}
	if h.Reporter == nil {
		return convene.Errorf(convene.EINTERNAL, "no reporter configured")
	}
	if !r.channel.Caps().Documents {
		if err := h.cmdStatusOf(ctx, r, m); err != nil {
			return err
		}
		h.say(ctx, r, "org.report_no_files", "Code", m.Code)
		return nil
	}
	data, name, err := h.Reporter.Report(ctx, m.Code, format.format, r.Lang)
	if err != nil {
		return err
	}
	h.reply(ctx, r, Outgoing{Text: h.t(r, "org.report_"+format.format, "Title", m.Title, "Code", m.Code),
		Document: &convene.File{Name: name, MIME: format.mime, Data: data}})
	return nil
}

// cmdGrant makes a person an organizer: /grant <phone | telegram id>.
func (h *organizerHandlers) cmdGrant(ctx context.Context, r *Request) error {
	arg := strings.TrimSpace(r.Args)
	if arg == "" {
		h.say(ctx, r, "org.grant_usage")
		return nil
	}
	var p *convene.Person
	if phone, err := h.normalizePhone(arg); err == nil && (strings.HasPrefix(arg, "0") || strings.HasPrefix(arg, "+")) {
		if p, err = h.People.FindPersonByPhone(ctx, phone); err != nil {
			return err
		}
	} else {
		acc, err := h.People.FindAccount(ctx, r.Channel, arg)
		if err != nil {
			return err
		}
		if acc.PersonID == 0 {
			return convene.Errorf(convene.ENOTFOUND, "account %s is not linked to a person", arg)
		}
		if p, err = h.People.FindPersonByID(ctx, acc.PersonID); err != nil {
			return err
		}
	}
	role := convene.RoleOrganizer
	if _, err := h.People.UpdatePerson(ctx, p.ID, convene.PersonUpdate{Role: &role}); err != nil {
		return err
	}
	if err := h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: r.Actor(), Action: "grant", Subject: "person:" + itoa(p.ID), Detail: "organizer"}); err != nil {
		return err
	}
	if accs, err := h.People.FindAccountsByPerson(ctx, p.ID); err == nil {
		for _, a := range accs {
			lang := h.langOf(p, a)
			r.afterCommit(func(ctx context.Context) { h.organizerMenu(ctx, a, lang, h.IsAdmin(a.Channel, a.UserID)) })
		}
	}
	h.say(ctx, r, "org.granted", "Name", p.FullName)
	return nil
}

// inviteData is the callback data of the invitation issue confirmation:
// "inv:<ok|no>:<meeting id>".
type inviteData struct {
	Meeting int64
	OK      bool
}

func (d inviteData) encode() string { return "inv:" + okNo(d.OK) + ":" + itoa(d.Meeting) }

// parseInviteData reads inviteData; anything but "ok" cancels.
func parseInviteData(s string) (inviteData, error) {
	p := strings.Split(s, ":")
	if len(p) != 3 || p[0] != "inv" {
		return inviteData{}, errStale
	}
	id, err := strconv.ParseInt(p[2], 10, 64)
	if err != nil {
		return inviteData{}, convene.Errorf(convene.EINVALID, "bad meeting id")
	}
	return inviteData{Meeting: id, OK: p[1] == "ok"}, nil
}

func okNo(ok bool) string {
	if ok {
		return "ok"
	}
	return "no"
}

// pageData is the callback data of a paged list's buttons:
// "pg:<kind>:<meeting id>:<page>[:<query>]".
type pageData struct {
	Kind    pageKind
	Meeting int64
	Page    int
	Query   string
}

// pageKind names a paged list.
type pageKind string

const (
	pagePending  pageKind = "pending"
	pageRollcall pageKind = "rollcall"
	pageUnits    pageKind = "units"
)

func (d pageData) encode() string {
	s := fmt.Sprintf("pg:%s:%d:%d", d.Kind, d.Meeting, d.Page)
	if d.Query != "" {
		s += ":" + d.Query
	}
	return s
}

// parsePageData reads pageData: errStale for another shape, EINVALID for
// bad numbers. The kind is not checked: an unknown list shows nothing.
func parsePageData(s string) (pageData, error) {
	p := strings.Split(s, ":")
	if len(p) < 4 || p[0] != "pg" {
		return pageData{}, errStale
	}
	id, err1 := strconv.ParseInt(p[2], 10, 64)
	page, err2 := strconv.Atoi(p[3])
	if err1 != nil || err2 != nil || page < 0 {
		return pageData{}, convene.Errorf(convene.EINVALID, "bad page")
	}
	return pageData{Kind: pageKind(p[1]), Meeting: id, Page: page, Query: strings.Join(p[4:], ":")}, nil
}

// organizerHandlers are the organizer's commands: meetings, status, pending answers, invite, report, grant.
type organizerHandlers struct {
	*core
	rsvp        *rsvpHandlers
	checkin     *checkinHandlers
	invitations *invitations
}

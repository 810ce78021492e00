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

func (b *Bot) cmdMeetings(ctx context.Context, r *Request) error {
	all, err := b.Meetings.FindMeetings(ctx, convene.MeetingFilter{})
	if err != nil {
		return err
	}
	if len(all) == 0 {
		b.say(ctx, r, "org.no_meetings")
		return nil
	}
	var sb strings.Builder
	sb.WriteString(b.t(r, "org.meetings_title"))
	for _, m := range all {
		st, err := b.Invitations.MeetingStats(ctx, m.ID)
		if err != nil {
			return err
		}
		sb.WriteString("\n\n")
		sb.WriteString(b.t(r, "org.meeting_line", "Code", m.Code, "Title", m.Title, "When", b.when(r.Lang, m, m.StartsAt),
			"Status", b.t(r, "status."+string(m.Status)), "Invited", st.Total.Invited, "Attending", st.Total.Attending, "Linked", st.Total.Linked))
	}
	b.reply(ctx, r, Outgoing{Text: sb.String()})
	return nil
}

// countsLine renders one line of counts.
func (b *Bot) countsLine(r *Request, name string, c convene.Counts) string {
	return b.t(r, "org.counts_line", "Name", name, "Invited", c.Invited, "Linked", c.Linked,
		"Attending", c.Attending, "Declined", c.Declined, "Substitute", c.Substitute, "Pending", c.Pending,
		"Present", c.Present+c.Late)
}

func (b *Bot) cmdStatus(ctx context.Context, r *Request) error {
	m, _, err := b.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	return b.cmdStatusOf(ctx, r, m)
}

// cmdStatusOf replies with m's counts, in all and by category and unit.
func (b *Bot) cmdStatusOf(ctx context.Context, r *Request, m *convene.Meeting) error {
	st, err := b.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(b.t(r, "org.status_title", "Title", m.Title, "Code", m.Code, "When", b.when(r.Lang, m, m.StartsAt)))
	sb.WriteString("\n\n")
	sb.WriteString(b.countsLine(r, b.t(r, "org.total"), st.Total))
	sb.WriteString("\n\n" + b.t(r, "org.by_category"))
	for _, g := range st.ByCategory {
		sb.WriteString("\n" + b.countsLine(r, g.Name, g.Counts))
	}
	sb.WriteString("\n\n" + b.t(r, "org.by_unit"))
	for _, g := range st.ByUnit {
		sb.WriteString("\n" + b.countsLine(r, g.Name, g.Counts))
	}
	b.reply(ctx, r, Outgoing{Text: sb.String()})
	return nil
}

func (b *Bot) cmdPending(ctx context.Context, r *Request) error {
	m, _, err := b.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if err := b.showPending(ctx, r, m, 0, false); err != nil {
		return err
	}
	return b.showSubstituteRequests(ctx, r, m)
}

// maxSubRequests bounds the substitute requests /pending re-offers at once.
const maxSubRequests = 10

// showSubstituteRequests re-offers the substitute requests of m awaiting a
// decision, each with its approve and reject buttons: a request made while
// no organizer was linked, or whose message was lost, is decided here.
func (b *Bot) showSubstituteRequests(ctx context.Context, r *Request, m *convene.Meeting) error {
	invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPSubstitute}})
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
	b.say(ctx, r, "org.sub_requests_title", "Title", m.Title, "Count", len(proposed),
		"Shown", min(len(proposed), maxSubRequests), "More", len(proposed) > maxSubRequests)
	for _, inv := range proposed[:min(len(proposed), maxSubRequests)] {
		match, _, err := b.substituteMatch(ctx, inv.SubstitutePhone)
		if err != nil {
			return err
		}
		b.reply(ctx, r, b.subProposal(r.Lang, inv, m, inv.SubstituteName, inv.SubstituteTitle, inv.SubstitutePhone, match))
	}
	return nil
}

// showPending shows one page of who hasn't answered, grouped by unit.
func (b *Bot) showPending(ctx context.Context, r *Request, m *convene.Meeting, page int, edit bool) error {
	invs, total, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{
		MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPPending}, Offset: page * b.PageSize, Limit: b.PageSize})
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(b.t(r, "org.pending_title", "Title", m.Title, "Count", total))
	if total == 0 {
		sb.WriteString("\n\n" + b.t(r, "org.pending_none"))
	}
	unit := "\x00"
	for i, inv := range invs {
		if inv.Person.Unit != unit {
			unit = inv.Person.Unit
			sb.WriteString("\n\n▪ " + orDash(unit))
		}
		linked := b.t(r, "org.linked_yes")
		if !inv.Linked() {
			linked = b.t(r, "org.linked_no")
		}
		fmt.Fprintf(&sb, "\n%d. %s — %s (%s)", page*b.PageSize+i+1, inv.Person.FullName, inv.Category.Name, linked)
	}
	out := Outgoing{Text: sb.String(), Buttons: b.pager(r, pagePending, m.ID, page, total)}
	if edit {
		b.edit(ctx, r, out)
	} else {
		b.reply(ctx, r, out)
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
func (b *Bot) onPage(ctx context.Context, r *Request) error {
	d, err := parsePageData(r.CallbackData)
	if err != nil {
		return err
	}
	if !r.Organizer && !(r.Staff && d.Kind == pageRollcall) {
		return convene.Errorf(convene.EFORBIDDEN, "page")
	}
	m, err := b.Meetings.FindMeetingByID(ctx, d.Meeting)
	if err != nil {
		return err
	}
	r.about(m)
	b.answer(ctx, r, "")
	switch d.Kind {
	case pagePending:
		return b.showPending(ctx, r, m, d.Page, true)
	case pageRollcall:
		return b.showRollcall(ctx, r, m, d.Page, d.Query, true)
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
func (b *Bot) cmdInvite(ctx context.Context, r *Request) error {
	m, _, err := b.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	st, err := b.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return err
	}
	b.reply(ctx, r, Outgoing{
		Text: b.t(r, "org.invite_confirm", "Title", m.Title, "Invited", st.Total.Invited, "Linked", st.Total.Linked,
			"Unlinked", st.Total.Invited-st.Total.Linked, "Issued", st.Total.Issued),
		Buttons: [][]convene.Button{{
			{Text: b.t(r, "btn.confirm_send"), Data: inviteData{Meeting: m.ID, OK: true}.encode()},
			{Text: b.t(r, "btn.cancel"), Data: inviteData{Meeting: m.ID}.encode()},
		}},
	})
	return nil
}

// onInviteConfirm issues the invitations once the organizer confirms.
func (b *Bot) onInviteConfirm(ctx context.Context, r *Request) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "invite")
	}
	d, err := parseInviteData(r.CallbackData)
	if err != nil {
		return err
	}
	m, err := b.Meetings.FindMeetingByID(ctx, d.Meeting)
	if err != nil {
		return err
	}
	r.about(m)
	b.answer(ctx, r, "")
	if !d.OK {
		b.edit(ctx, r, Outgoing{Text: b.t(r, "org.cancelled")})
		return nil
	}
	res, err := b.IssueInvitations(ctx, m.Code, r.Actor(), r.Account.ID)
	if err != nil {
		return err
	}
	b.edit(ctx, r, Outgoing{Text: b.t(r, "org.invite_done", "Title", m.Title, "Queued", res.Queued, "Unlinked", res.Unlinked)})
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
func (b *Bot) cmdReport(ctx context.Context, r *Request) error {
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
		b.say(ctx, r, "org.report_usage")
		return nil
	}
	m, _, err := b.meetingArg(ctx, r, strings.Join(args, " "))
	if err != nil {
		return err
	}
	if b.Reporter == nil {
		return convene.Errorf(convene.EINTERNAL, "no reporter configured")
	}
	if !r.channel.Caps().Documents {
		if err := b.cmdStatusOf(ctx, r, m); err != nil {
			return err
		}
		b.say(ctx, r, "org.report_no_files", "Code", m.Code)
		return nil
	}
	data, name, err := b.Reporter.Report(ctx, m.Code, format.format, r.Lang)
	if err != nil {
		return err
	}
	b.reply(ctx, r, Outgoing{Text: b.t(r, "org.report_"+format.format, "Title", m.Title, "Code", m.Code),
		Document: &convene.File{Name: name, MIME: format.mime, Data: data}})
	return nil
}

// cmdGrant makes a person an organizer: /grant <phone | telegram id>.
func (b *Bot) cmdGrant(ctx context.Context, r *Request) error {
	arg := strings.TrimSpace(r.Args)
	if arg == "" {
		b.say(ctx, r, "org.grant_usage")
		return nil
	}
	var p *convene.Person
	if phone, err := b.normalizePhone(arg); err == nil && (strings.HasPrefix(arg, "0") || strings.HasPrefix(arg, "+")) {
		if p, err = b.People.FindPersonByPhone(ctx, phone); err != nil {
			return err
		}
	} else {
		acc, err := b.People.FindAccount(ctx, r.Channel, arg)
		if err != nil {
			return err
		}
		if acc.PersonID == 0 {
			return convene.Errorf(convene.ENOTFOUND, "account %s is not linked to a person", arg)
		}
		if p, err = b.People.FindPersonByID(ctx, acc.PersonID); err != nil {
			return err
		}
	}
	role := convene.RoleOrganizer
	if _, err := b.People.UpdatePerson(ctx, p.ID, convene.PersonUpdate{Role: &role}); err != nil {
		return err
	}
	if err := b.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: r.Actor(), Action: "grant", Subject: "person:" + itoa(p.ID), Detail: "organizer"}); err != nil {
		return err
	}
	if accs, err := b.People.FindAccountsByPerson(ctx, p.ID); err == nil {
		for _, a := range accs {
			lang := b.langOf(p, a)
			r.afterCommit(func(ctx context.Context) { b.organizerMenu(ctx, a, lang, b.IsAdmin(a.Channel, a.UserID)) })
		}
	}
	b.say(ctx, r, "org.granted", "Name", p.FullName)
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

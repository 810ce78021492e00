package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/convene/convene"
	"golang.org/x/text/unicode/norm"
)

// ParseAudience reads an audience: one of all, attending, pending, declined,
// checked-in (or their Vietnamese words: tất cả, tham dự, chưa trả lời, báo
// vắng, đã điểm danh), and filters key=value with keys rsvp, attendance,
// category and unit (values comma-separated), e.g. "tham dự unit=Chi bộ 01".
func ParseAudience(meetingID int64, s string) (convene.InvitationFilter, error) {
	f := convene.InvitationFilter{MeetingID: meetingID}
	s = strings.TrimSpace(s)
	if s == "" {
		return f, nil
	}
	// key=value pairs may hold spaces in values: split at the keys.
	fields := audienceWords(strings.Fields(s))
	var key string
	vals := map[string]string{}
	for _, w := range fields {
		if k, v, ok := strings.Cut(w, "="); ok && isAudienceKey(k) {
			key = k
			vals[key] = v
			continue
		}
		if key != "" {
			vals[key] += " " + w
			continue
		}
		if !convene.ValidAudience(convene.Audience(w)) {
			return f, convene.Errorf(convene.EINVALID, "unknown audience %q: use all, attending, pending, declined, checked-in or key=value with rsvp, attendance, category, unit", w)
		}
		applyAudience(&f, convene.Audience(w))
	}
	for k, v := range vals {
		v = strings.TrimSpace(v)
		switch k {
		case "rsvp":
			for _, x := range strings.Split(v, ",") {
				switch rs := convene.RSVP(strings.TrimSpace(x)); rs {
				case convene.RSVPPending, convene.RSVPAttending, convene.RSVPDeclined, convene.RSVPSubstitute:
					f.RSVP = append(f.RSVP, rs)
				default:
					return f, convene.Errorf(convene.EINVALID, "unknown rsvp %q", x)
				}
			}
		case "attendance":
			for _, x := range strings.Split(v, ",") {
				switch at := convene.Attendance(strings.TrimSpace(x)); at {
				case convene.AttendancePresent, convene.AttendanceLate, convene.AttendanceExcused, convene.AttendanceAbsent:
					f.Attendance = append(f.Attendance, at)
				default:
					return f, convene.Errorf(convene.EINVALID, "unknown attendance %q", x)
				}
			}
		case "category":
			f.Category = v
		case "unit":
			f.Unit = v
		}
	}
	return f, nil
}

// viAudiences are the Vietnamese words of the named audiences, with and
// without diacritics, longest first.
var viAudiences = []struct {
	words string
	a     convene.Audience
}{
	{"chưa trả lời", convene.AudiencePending}, {"chua tra loi", convene.AudiencePending},
	{"đã điểm danh", convene.AudienceCheckedIn}, {"da diem danh", convene.AudienceCheckedIn},
	{"điểm danh", convene.AudienceCheckedIn}, {"diem danh", convene.AudienceCheckedIn},
	{"tất cả", convene.AudienceAll}, {"tat ca", convene.AudienceAll},
	{"tham dự", convene.AudienceAttending}, {"tham du", convene.AudienceAttending},
	{"báo vắng", convene.AudienceDeclined}, {"bao vang", convene.AudienceDeclined},
}

// audienceWords replaces the Vietnamese words of named audiences before the
// first key=value filter by their English names; filter values stay as typed.
func audienceWords(fields []string) []string {
	head := len(fields)
	for i, w := range fields {
		if k, _, ok := strings.Cut(w, "="); ok && isAudienceKey(k) {
			head = i
			break
		}
	}
	out := make([]string, 0, len(fields))
	for i := 0; i < head; {
		n, a := matchAudienceWords(fields[i:head])
		if n == 0 {
			out = append(out, fields[i])
			i++
			continue
		}
		out = append(out, string(a))
		i += n
	}
	return append(out, fields[head:]...)
}

// matchAudienceWords returns how many of the first fields spell a named
// audience in Vietnamese, and which; 0 if none.
func matchAudienceWords(fields []string) (int, convene.Audience) {
	for _, v := range viAudiences {
		ws := strings.Fields(v.words)
		if len(ws) > len(fields) {
			continue
		}
		if strings.EqualFold(norm.NFC.String(strings.Join(fields[:len(ws)], " ")), v.words) {
			return len(ws), v.a
		}
	}
	return 0, ""
}

func isAudienceKey(k string) bool {
	return k == "rsvp" || k == "attendance" || k == "category" || k == "unit"
}

// applyAudience narrows f to a named audience.
func applyAudience(f *convene.InvitationFilter, a convene.Audience) {
	switch a {
	case convene.AudienceAttending:
		f.RSVP = []convene.RSVP{convene.RSVPAttending}
	case convene.AudiencePending:
		f.RSVP = []convene.RSVP{convene.RSVPPending}
	case convene.AudienceDeclined:
		f.RSVP = []convene.RSVP{convene.RSVPDeclined}
	case convene.AudienceCheckedIn:
		yes := true
		f.CheckedIn = &yes
	}
}

// AudienceFilter returns the filter of a named audience of a meeting.
func AudienceFilter(meetingID int64, a convene.Audience) convene.InvitationFilter {
	f := convene.InvitationFilter{MeetingID: meetingID}
	applyAudience(&f, a)
	return f
}

// ReminderAudience is ParseAudience for a reminder: "all" (or nothing)
// means everyone still expected to come, without the invitees who declined
// or whose seat went to an approved substitute. A named or filtered
// audience is kept as given: "báo vắng" still reaches those who declined.
func ReminderAudience(meetingID int64, s string) (convene.InvitationFilter, error) {
	f, err := ParseAudience(meetingID, s)
	if err != nil {
		return f, err
	}
	if everyone(f) {
		f.Expected = true
	}
	// A reminder is of an invitation the person has: none before it is issued.
	issued := true
	f.Issued = &issued
	return f, nil
}

// everyone tells whether f keeps all of its meeting's invitees.
func everyone(f convene.InvitationFilter) bool {
	return f.PersonID == 0 && len(f.RSVP) == 0 && len(f.Attendance) == 0 && f.Category == "" && f.Unit == "" &&
		f.Name == "" && f.Linked == nil && f.Issued == nil && f.CheckedIn == nil
}

// Delivery counts who a message can go to.
type Delivery struct {
	Queued   int // reachable, linked invitees whose message was queued
	Unlinked int // invitees with no reachable account
}

// recipients splits invitees into those with a reachable account and the rest.
func recipients(invs []*convene.Invitee) (reach []*convene.Invitee, unreachable int) {
	for _, inv := range invs {
		if inv.Account() != nil {
			reach = append(reach, inv)
		} else {
			unreachable++
		}
	}
	return reach, unreachable
}

// Broadcast queues text to the meeting's invitees matching filter, as one
// batch whose result is reported to notify (0: nobody). batch names it; the
// same batch queued twice sends nothing twice. The messages and the audit
// entry commit in one transaction.
func (b *Bot) Broadcast(ctx context.Context, f convene.InvitationFilter, text, batch, actor string, notify int64) (*Delivery, error) {
	return b.broadcast.Broadcast(ctx, f, text, batch, actor, notify)
}

// Broadcast does the work of Bot.Broadcast.
func (h *broadcastHandlers) Broadcast(ctx context.Context, f convene.InvitationFilter, text, batch, actor string, notify int64) (*Delivery, error) {
	return inTx(ctx, h.core, func(ctx context.Context) (*Delivery, error) { return h.broadcast(ctx, f, text, batch, actor, notify) })
}

func (h *broadcastHandlers) broadcast(ctx context.Context, f convene.InvitationFilter, text, batch, actor string, notify int64) (*Delivery, error) {
	m, err := h.Meetings.FindMeetingByID(ctx, f.MeetingID)
	if err != nil {
		return nil, err
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	reach, unlinked := recipients(invs)
	msgs := make([]*convene.OutboxMessage, 0, len(reach))
	for _, inv := range reach {
		a := inv.Account()
		lang := h.langOf(&inv.Person, a)
		msgs = append(msgs, &convene.OutboxMessage{
			AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: fmt.Sprintf("%s:%d", batch, inv.ID), Batch: batch, NotifyAccount: notify,
			Content: convene.Content{Text: h.Texts.T(lang, "broadcast.body", map[string]any{"Title": m.Title, "Text": text})},
		})
	}
	n, err := h.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if err := h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "broadcast", MeetingID: m.ID,
		Subject: batch, Detail: fmt.Sprintf("%d queued: %s", n, text)}); err != nil {
		return nil, err
	}
	return &Delivery{Queued: n, Unlinked: unlinked}, nil
}

package bot_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
)

// failingInvitations is the real invitation service whose SetRSVP fails
// with an internal error (as a busy database would) while fail says so.
type failingInvitations struct {
	convene.InvitationService
	fail  func(ch convene.RSVPChange) bool
	calls atomic.Int32
}

func (s *failingInvitations) SetRSVP(ctx context.Context, id int64, ch convene.RSVPChange, msgs ...*convene.OutboxMessage) (*convene.Invitation, error) {
	s.calls.Add(1)
	if s.fail(ch) {
		return nil, convene.Errorf(convene.EINTERNAL, "database is locked")
	}
	return s.InvitationService.SetRSVP(ctx, id, ch, msgs...)
}

// declining puts the linked, invited Thu Hà (u) into the decline flow.
func declining(t *testing.T, h *harness) (u interface{ Send(string) int }, chat int64) {
	t.Helper()
	usr := h.user(101, "Hà")
	h.link(usr, "Thu Hà")
	h.issue()
	inv := h.invitation(usr)
	h.settle()
	h.press(usr, inv.ID, "rsvp:"+itoa(h.invitee("Thu Hà").ID)+":d")
	h.contains(usr.ID, h.text("rsvp.ask_reason"))
	return usr, usr.ID
}

func rsvpAudits(t *testing.T, h *harness) int {
	t.Helper()
	audit, err := h.svc.Audit.FindAudit(context.Background(), h.m.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range audit {
		if e.Action == "rsvp" {
			n++
		}
	}
	return n
}

// TestRepeatedUpdateHandledOnce: an update delivered twice (a webhook retry,
// a poll after a crash) is handled once. The updates replayed here are not
// idempotent by themselves: /help answers every time it is handled, and a
// reason typed into the decline flow would be answered twice.
func TestRepeatedUpdateHandledOnce(t *testing.T) {
	h := newHarness(t)
	_, chat := declining(t, h)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		in     bot.Incoming
		answer string
	}{
		{"Help", bot.Incoming{Channel: "telegram", UpdateID: "replay-help", UserID: "101", ChatID: "101", Private: true, Name: "Hà",
			Command: "help"}, h.text("help.intro")},
		{"FlowText", bot.Incoming{Channel: "telegram", UpdateID: "replay-reason", UserID: "101", ChatID: "101", Private: true, Name: "Hà",
			Text: "Đi công tác"}, h.text("rsvp.thanks_declined")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.settle()
			before := h.count(chat, tc.answer)
			for i := 0; i < 2; i++ {
				in := tc.in
				if err := h.bot.Accept(ctx, &in); err != nil {
					t.Fatal(err)
				}
				h.settle()
			}
			if n := h.count(chat, tc.answer) - before; n != 1 {
				t.Fatalf("answered %d times to one update delivered twice", n)
			}
		})
	}
	if n := rsvpAudits(t, h); n != 1 {
		t.Fatalf("%d answers recorded", n)
	}
}

// TestInboxRetry: a handler that fails (the database busy) is tried again,
// and everything of the failed try is rolled back: the retry finds the flow
// as it was and answers once.
func TestInboxRetry(t *testing.T) {
	t.Run("FailingOnceHandledOnce", func(t *testing.T) {
		failures := atomic.Int32{}
		failures.Store(1)
		var inv *failingInvitations
		h := newHarnessWith(t, func(h *harness) {
			inv = &failingInvitations{InvitationService: h.bot.Invitations, fail: func(ch convene.RSVPChange) bool {
				return ch.Reason != "" && failures.Add(-1) >= 0
			}}
			h.bot.Invitations = inv
		})
		u, chat := declining(t, h)
		u.Send("Đi công tác")
		h.contains(chat, h.text("rsvp.thanks_declined"))
		h.settle()
		if n := inv.calls.Load(); n != 2 {
			t.Fatalf("SetRSVP called %d times, want a failure and a retry", n)
		}
		if n := h.count(chat, h.text("rsvp.thanks_declined")); n != 1 {
			t.Fatalf("thanked %d times", n)
		}
		if n := h.count(chat, h.text("err.internal")); n != 0 {
			t.Fatal("told of a fault that a retry overcame")
		}
		if got := h.invitee("Thu Hà"); got.RSVP != convene.RSVPDeclined || got.Reason != "Đi công tác" {
			t.Fatalf("after the retry %+v", got.Invitation)
		}
		if n := rsvpAudits(t, h); n != 1 {
			t.Fatalf("%d answers recorded", n)
		}
	})

	t.Run("AlwaysFailingParkedChatGoesOn", func(t *testing.T) {
		var inv *failingInvitations
		h := newHarnessWith(t, func(h *harness) {
			h.inbox.MaxTries = 3
			inv = &failingInvitations{InvitationService: h.bot.Invitations, fail: func(ch convene.RSVPChange) bool {
				return ch.Reason == "boom"
			}}
			h.bot.Invitations = inv
		})
		u, chat := declining(t, h)
		u.Send("boom")
		h.contains(chat, h.text("err.internal"))
		h.settle()
		if n := inv.calls.Load(); n != 3 {
			t.Fatalf("tried %d times, want MaxTries (3)", n)
		}
		if _, dead, err := h.svc.Inbox.InboxCounts(context.Background()); err != nil || dead != 1 {
			t.Fatalf("%d dead updates (%v), want 1", dead, err)
		}
		// The chat's later updates are handled: the flow is still open, so
		// the next reason is taken.
		u.Send("Đi công tác")
		h.contains(chat, h.text("rsvp.thanks_declined"))
		if got := h.invitee("Thu Hà"); got.Reason != "Đi công tác" {
			t.Fatalf("later update not handled: %+v", got.Invitation)
		}
		if n := h.count(chat, h.text("err.internal")); n != 1 {
			t.Fatalf("told of the fault %d times", n)
		}
	})
}

// failingAudit is the real audit log refusing to record action.
type failingAudit struct {
	convene.AuditService
	action string
}

func (a failingAudit) RecordAudit(ctx context.Context, e *convene.AuditEntry) error {
	if e.Action == a.action {
		return convene.Errorf(convene.EINTERNAL, "database is locked")
	}
	return a.AuditService.RecordAudit(ctx, e)
}

// TestChangeAndMessagesCommitTogether: when the audit entry of feedback
// opening, a broadcast or issuing invitations can't be written, none of
// their messages is queued and the meeting is unchanged.
func TestChangeAndMessagesCommitTogether(t *testing.T) {
	ctx := context.Background()
	for _, action := range []string{"feedback-open", "broadcast", "invite", "remind"} {
		t.Run(action, func(t *testing.T) {
			h := newHarnessWith(t, func(h *harness) {
				h.bot.Audit = failingAudit{AuditService: h.bot.Audit, action: action}
			})
			h.link(h.user(101, "Hà"), "Thu Hà")
			if action != "invite" {
				h.issue()
			}
			// An attendee, so that feedback would be asked of her.
			if _, err := h.svc.Invitations.SetRSVP(ctx, h.invitee("Thu Hà").ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "test"}); err != nil {
				t.Fatal(err)
			}
			h.settle()
			before := len(h.srv.Messages(101))
			var err error
			switch action {
			case "feedback-open":
				_, err = h.bot.OpenFeedback(ctx, "chi-bo-01", "test")
			case "broadcast":
				_, err = h.bot.Broadcast(ctx, convene.InvitationFilter{MeetingID: h.m.ID}, "Tin", "bc:test", "test", 0)
			case "invite":
				_, err = h.bot.IssueInvitations(ctx, "chi-bo-01", "test", 0)
			case "remind":
				_, err = h.bot.RemindNow(ctx, "chi-bo-01", "", "test", 0)
			}
			if convene.ErrorCode(err) != convene.EINTERNAL {
				t.Fatalf("err %v", err)
			}
			h.settle()
			if n := len(h.srv.Messages(101)) - before; n != 0 {
				t.Fatalf("%d messages sent without their audit entry", n)
			}
			m, _ := h.svc.Meetings.FindMeetingByCode(ctx, "chi-bo-01")
			if !m.FeedbackOpenedAt.IsZero() || m.Status != h.m.Status && action == "invite" {
				t.Fatalf("meeting changed without its audit entry: %+v", m)
			}
			if action == "invite" {
				if s, _ := h.svc.Invitations.MeetingStats(ctx, h.m.ID); s.Total.Issued != 0 {
					t.Fatalf("%d invitations issued without their audit entry", s.Total.Issued)
				}
			}
		})
	}
}

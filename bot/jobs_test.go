package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
)

func TestReminderSaysWhatMatters(t *testing.T) {
	h := newHarness(t)
	pending := h.user(101, "Hà")
	h.link(pending, "Thu Hà")
	yes := h.user(102, "Bảo")
	h.link(yes, "Quốc Bảo")
	h.issue()
	inv := h.invitation(yes)
	h.press(yes, inv.ID, "rsvp:"+itoa(h.invitee("Quốc Bảo").ID)+":a")
	h.invitation(pending)
	h.clock.Set(h.m.StartsAt.Add(-74 * time.Hour))
	d, err := h.bot.RemindNow(context.Background(), "chi-bo-01", "all", "test", 0)
	if err != nil || d.Queued != 2 || d.Unlinked != 24 {
		t.Fatalf("remind: %+v %v", d, err)
	}
	p := h.contains(pending.ID, "Nhắc lịch")
	for _, want := range []string{"khai mạc sau 3 ngày 2 giờ", "08:00, thứ Năm, 28/03/2024", "390 Hoàng Văn Thụ", "Đồng chí chưa xác nhận tham dự.", "Đề nghị đồng chí xác nhận tham dự trước"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("pending reminder lacks %q:\n%s", want, p.Text)
		}
	}
	if !p.HasButton("rsvp:" + itoa(h.invitee("Thu Hà").ID) + ":a") {
		t.Error("a pending invitee's reminder has no buttons")
	}
	a := h.contains(yes.ID, "Nhắc lịch")
	if !strings.Contains(a.Text, "Trả lời của đồng chí: Tham dự") || len(a.Buttons) > 0 {
		t.Errorf("attending reminder: %q %+v", a.Text, a.Buttons)
	}
}

func TestMovedMeetingAsksToConfirmAgain(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	id := itoa(h.invitee("Thu Hà").ID)
	h.press(u, inv.ID, "rsvp:"+id+":a")

	p, err := plan.ParseFS(examples.FS, examples.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	p.Meetings[0].Meeting.StartsAt = p.Meetings[0].Meeting.StartsAt.Add(2 * time.Hour)
	p.Meetings[0].Meeting.EndsAt = p.Meetings[0].Meeting.EndsAt.Add(2 * time.Hour)
	res, err := h.svc.Plans.ApplyPlan(context.Background(), p)
	if err != nil || len(res.Moved) != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	n, err := h.bot.NotifyMoved(context.Background(), "chi-bo-01")
	if err != nil || n != 1 {
		t.Fatalf("notify: %d %v", n, err)
	}
	moved := h.contains(u.ID, "THAY ĐỔI")
	if !strings.Contains(moved.Text, "10:00, thứ Năm, 28/03/2024") || !moved.HasButton("rsvp:"+id+":a") {
		t.Fatalf("moved notice %q", moved.Text)
	}
	got := h.invitee("Thu Hà")
	if !got.Reconfirm || got.RSVP != convene.RSVPAttending {
		t.Fatalf("previous answer must be kept until confirmed: %+v", got.Invitation)
	}
	h.press(u, moved.ID, "rsvp:"+id+":a")
	if got := h.invitee("Thu Hà"); got.Reconfirm {
		t.Fatal("confirming again did not clear the flag")
	}
}

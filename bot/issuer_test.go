package bot_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
)

const (
	khoiOffice = "Văn phòng Đảng ủy Khối"
	khoiBoard  = "Ban Tổ chức Đảng ủy Khối"
)

// khoiPlan is the example plan of another organization: its office and
// board have names of their own.
func khoiPlan(t *testing.T) fs.FS {
	t.Helper()
	src, err := io.ReadAll(examples.Plan())
	if err != nil {
		t.Fatal(err)
	}
	// Every mention, the program's presenters and chair too: that plan
	// names its own bodies throughout.
	src = bytes.ReplaceAll(src, []byte("Văn phòng Đảng ủy"), []byte(khoiOffice))
	src = bytes.ReplaceAll(src, []byte("Ban Tổ chức Đảng ủy"), []byte(khoiBoard))
	return examples.WithPlan(src)
}

// TestPlanNamesTheOffice: the chat names the office and board of the plan,
// not the catalog's defaults: in a greeting (no meeting at hand), in a
// refusal about a meeting, and in the feedback request.
func TestPlanNamesTheOffice(t *testing.T) {
	h := newHarnessWith(t, func(h *harness) {
		p, err := plan.ParseFS(khoiPlan(t), examples.PlanFile)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.Plans.ApplyPlan(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if h.m, err = h.svc.Meetings.FindMeetingByCode(context.Background(), "chi-bo-01"); err != nil {
			t.Fatal(err)
		}
		if h.m.Issuer.OfficeName() != khoiOffice {
			t.Fatalf("plan office not applied: %+v", h.m.Issuer)
		}
	})
	t.Run("Greeting", func(t *testing.T) {
		ms := h.send(h.user(555, "Người lạ"), "/start", 1)
		if !strings.Contains(ms[0].Text, khoiOffice) {
			t.Fatalf("greeting: %q", ms[0].Text)
		}
	})
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	t.Run("RSVPClosed", func(t *testing.T) {
		h.settle()
		h.clock.Set(h.m.RSVPDeadline.Add(time.Minute))
		before := len(h.srv.Messages(u.ID))
		h.press(u, inv.ID, "rsvp:"+itoa(h.invitee("Thu Hà").ID)+":a")
		got := h.newContaining(u.ID, before, "Đã hết hạn")
		if !strings.Contains(got.Text, khoiOffice) {
			t.Fatalf("rsvp.closed: %q", got.Text)
		}
	})
	t.Run("FeedbackInvite", func(t *testing.T) {
		h.attend(u, "Thu Hà")
		h.clock.Set(h.m.End().Add(time.Minute))
		if _, err := h.bot.OpenFeedback(context.Background(), "chi-bo-01", "test"); err != nil {
			t.Fatal(err)
		}
		got := h.contains(u.ID, "cho ý kiến góp ý")
		if !strings.Contains(got.Text, khoiBoard) {
			t.Fatalf("fb.invite: %q", got.Text)
		}
	})
	t.Run("NoDefaultNames", func(t *testing.T) {
		for _, m := range h.srv.Messages(u.ID) {
			rest := strings.NewReplacer(khoiOffice, "", khoiBoard, "").Replace(m.Text)
			if strings.Contains(rest, convene.DefaultOffice) || strings.Contains(rest, convene.DefaultBoard) {
				t.Errorf("a default name in %q", m.Text)
			}
		}
	})
}

package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/zalo"
	"github.com/convene/convene/bot/zalotest"
)

// zaloChat is a Zalo user talking to the bot through the fake Zalo server.
type zaloChat struct {
	h   *harness
	srv *zalotest.Server
	u   *zalotest.User
}

func newZalo(t *testing.T) (*harness, *zalotest.Server) {
	t.Helper()
	h, ctx := newCore(t)
	srv := zalotest.NewServer(zalotest.Options{MaxPollWait: 500 * time.Millisecond})
	t.Cleanup(srv.Close)
	ch, err := zalo.New(ctx, zalo.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: time.Second, Logger: h.bot.Logger})
	if err != nil {
		t.Fatal(err)
	}
	h.run(ctx, ch)
	return h, srv
}

// say sends text and returns the next reply containing want.
func (c *zaloChat) say(text, want string) string {
	c.h.t.Helper()
	before := len(c.srv.Messages(c.u.ID))
	c.u.Send(text)
	return c.wait(before, want)
}

func (c *zaloChat) wait(before int, want string) string {
	c.h.t.Helper()
	var got string
	if !c.srv.WaitFor(wait, func() bool {
		ms := c.srv.Messages(c.u.ID)
		for _, m := range ms[min(before, len(ms)):] {
			if strings.Contains(m, want) {
				got = m
				return true
			}
		}
		return false
	}) {
		ms := c.srv.Messages(c.u.ID)
		c.h.t.Fatalf("zalo chat %s never got %q; got %q", c.u.ID, want, ms[min(before, len(ms)):])
	}
	return got
}

func TestZaloFlows(t *testing.T) {
	h, srv := newZalo(t)
	c := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-1", "Lê Thị Thu Hà")}

	t.Run("LinkBySendingCode", func(t *testing.T) {
		c.say("/start", "gửi mã cá nhân")
		c.say(h.invitee("Thu Hà").Token, "Đã liên kết thành công")
	})
	t.Run("InvitationAsNumberedList", func(t *testing.T) {
		before := len(srv.Messages(c.u.ID))
		h.issue()
		inv := c.wait(before, "GIẤY MỜI")
		for _, want := range []string{"08:00, thứ Năm, 28/03/2024", "1. ✅ Tham dự", "2. ❌ Báo vắng", "3. 👤 Cử người dự thay", "trả lời bằng số"} {
			if !strings.Contains(inv, want) {
				t.Fatalf("invitation lacks %q:\n%s", want, inv)
			}
		}
		// 4 and 5 are the meeting's documents (material.go), never the calendar.
		if !strings.Contains(inv, "\n4. 📎 Tài liệu: Chương trình hội nghị") || strings.Contains(inv, "\n6. ") || strings.Contains(inv, "Thêm vào lịch") || strings.Contains(inv, "ics:") {
			t.Fatalf("a calendar choice on a channel without files:\n%s", inv)
		}
		for _, m := range srv.Messages(c.u.ID) {
			if len([]rune(m)) > zalo.MaxText {
				t.Fatalf("a message over %d characters", zalo.MaxText)
			}
		}
	})
	t.Run("AttendByNumber", func(t *testing.T) {
		c.say("1", "Đã ghi nhận đồng chí tham dự")
		if got := h.invitee("Thu Hà").RSVP; got != convene.RSVPAttending {
			t.Fatalf("rsvp %q", got)
		}
	})
	t.Run("DeclineByWordWithReason", func(t *testing.T) {
		c.say("/my", "2. ❌ Báo vắng")
		c.say("không", "lý do vắng mặt")
		c.say("Đi công tác", "báo vắng có lý do")
		if got := h.invitee("Thu Hà"); got.RSVP != convene.RSVPDeclined || got.Reason != "Đi công tác" {
			t.Fatalf("%+v", got.Invitation)
		}
	})
	t.Run("FeedbackByNumbers", func(t *testing.T) {
		h.attend(nil, "Thu Hà")
		h.clock.Set(h.m.End().Add(time.Minute))
		before := len(srv.Messages(c.u.ID))
		if _, err := h.bot.OpenFeedback(context.Background(), "chi-bo-01", "test"); err != nil {
			t.Fatal(err)
		}
		c.wait(before, "1. 📝 Bắt đầu góp ý")
		c.say("1", "Câu 1/4")
		c.say("Chuẩn bị chu đáo", "Câu 2/4")
		c.say("Thời gian thảo luận ngắn", "Câu 3/4")
		c.say("Gửi tài liệu sớm", "Câu 4/4")
		c.say("4", "Tóm tắt")
		c.say("1", "Cảm ơn đồng chí đã góp ý")
		fb, _ := h.svc.Feedback.FindFeedback(context.Background(), h.m.ID)
		if len(fb) != 1 || fb[0].Rating != 4 || fb[0].Answers["weaknesses"] != "Thời gian thảo luận ngắn" {
			t.Fatalf("%+v", fb)
		}
	})
	t.Run("StrayNumberIsText", func(t *testing.T) {
		c.say("7", "/my")
	})
}

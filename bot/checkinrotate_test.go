package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
)

// TestRotatingCheckin: with the venue screen's rotating codes on, a code
// scanned within its validity checks in, an older one and the static
// poster's are refused with a request to scan again, and a code whose
// window was altered is unknown.
func TestRotatingCheckin(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	if err := h.bot.SetCheckinMode(ctx, h.m, bot.CheckinRotating, "test"); err != nil {
		t.Fatal(err)
	}
	payload := func(link string) string { return link[strings.Index(link, "start=")+6:] }
	h.clock.Set(h.m.StartsAt.Add(-20 * time.Minute))
	link, next, err := h.bot.RotatingCheckinLink(ctx, h.m)
	if err != nil {
		t.Fatal(err)
	}
	code := payload(link)
	if p := strings.Split(code, "-"); len(p) < 4 || p[0] != "ci" || len(code) > 64 {
		t.Fatalf("rotating code %q", code)
	}
	if d := next.Sub(h.clock.Now()); d <= 0 || d > bot.CheckinWindow {
		t.Fatalf("next code in %s", d)
	}
	t.Run("OlderThanValidityRefused", func(t *testing.T) {
		h.clock.Set(next.Add(2*bot.CheckinWindow + time.Second)) // 61–91 s after it was shown: in its 4th window
		if ms := h.send(u, "/start "+code, 1); !strings.Contains(ms[0].Text, "Mã điểm danh đã hết hạn; đề nghị đồng chí quét lại mã trên màn hình") {
			t.Fatalf("%q", ms[0].Text)
		}
		if got := h.invitee("Thu Hà"); !got.CheckedInAt.IsZero() {
			t.Fatalf("an expired code checked in: %+v", got.Invitation)
		}
	})
	t.Run("StaticCodeRefused", func(t *testing.T) {
		static, err := h.bot.CheckinLink(ctx, h.m)
		if err != nil {
			t.Fatal(err)
		}
		if ms := h.send(u, "/start "+payload(static), 1); !strings.Contains(ms[0].Text, "hết hạn") {
			t.Fatalf("%q", ms[0].Text)
		}
		if ms := h.send(org, "/checkin chi-bo-01", 1); ms[0].Photo != nil || !strings.Contains(ms[0].Text, "thay đổi mỗi 30 giây") {
			t.Fatalf("/checkin of a rotating meeting: %+v", ms[0])
		}
	})
	t.Run("AlteredWindowUnknown", func(t *testing.T) {
		link, _, err := h.bot.RotatingCheckinLink(ctx, h.m)
		if err != nil {
			t.Fatal(err)
		}
		c := payload(link)
		p := strings.SplitN(c, "-", 4)
		w := []byte(p[2])
		w[len(w)-1] = '0' + (w[len(w)-1]-'0'+1)%10
		forged := p[0] + "-" + p[1] + "-" + string(w) + "-" + p[3]
		if ms := h.send(u, "/start "+forged, 1); !strings.Contains(ms[0].Text, "Không tìm thấy") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("InTimeChecksIn", func(t *testing.T) {
		link, next, err := h.bot.RotatingCheckinLink(ctx, h.m)
		if err != nil {
			t.Fatal(err)
		}
		h.clock.Set(next.Add(bot.CheckinWindow + 20*time.Second)) // 50–80 s after it was shown: its 3rd window
		if ms := h.send(u, "/start "+payload(link), 1); !strings.Contains(ms[0].Text, "Đã điểm danh: đồng chí Lê Thị Thu Hà") {
			t.Fatalf("%q", ms[0].Text)
		}
		if got := h.invitee("Thu Hà"); got.Attendance != convene.AttendancePresent || got.CheckinMethod != convene.CheckinQR {
			t.Fatalf("%+v", got.Invitation)
		}
	})
	t.Run("BackToStatic", func(t *testing.T) {
		if err := h.bot.SetCheckinMode(ctx, h.m, "sometimes", "test"); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("bad mode: %v", err)
		}
		if err := h.bot.SetCheckinMode(ctx, h.m, bot.CheckinStatic, "test"); err != nil {
			t.Fatal(err)
		}
		if ms := h.send(org, "/checkin chi-bo-01", 1); ms[0].Photo == nil {
			t.Fatalf("/checkin of a static meeting: %+v", ms[0])
		}
	})
}

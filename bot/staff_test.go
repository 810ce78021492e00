package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
)

// TestStaffAuthorization: the authorization matrix's staff row. Staff take
// the roll call and show the venue QR; every other organizer command, and a
// representative's /units, is refused and changes nothing.
func TestStaffAuthorization(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	staff := h.staff()
	for _, cmd := range []string{"/meetings", "/status chi-bo-01", "/pending chi-bo-01", "/invite chi-bo-01", "/remind chi-bo-01",
		"/broadcast chi-bo-01", "/report chi-bo-01", "/grant 0909234567", "/units chi-bo-01"} {
		t.Run("Refused"+strings.TrimPrefix(strings.Fields(cmd)[0], "/"), func(t *testing.T) {
			ms := h.send(staff, cmd, 1)
			if !strings.Contains(ms[0].Text, "không có quyền") {
				t.Fatalf("%s got %q", cmd, ms[0].Text)
			}
		})
	}
	t.Run("CheckinQR", func(t *testing.T) {
		h.sendFor(staff, "/checkin chi-bo-01", "Mã QR điểm danh")
	})
	t.Run("RollcallToggle", func(t *testing.T) {
		rc := h.sendFor(staff, "/rollcall chi-bo-01 Quốc Bảo", "Điểm danh")
		if strings.Contains(rc.Text, "+84") {
			t.Fatalf("phones shown to staff: %q", rc.Text)
		}
		inv := h.invitee("Quốc Bảo")
		h.press(staff, rc.ID, buttonData(t, rc, "Quốc Bảo"))
		if got := h.invitee("Quốc Bảo"); got.CheckedInAt.IsZero() {
			t.Fatalf("staff roll call did not check in %d", inv.ID)
		}
	})
	st, _ := h.svc.Invitations.MeetingStats(ctx, h.m.ID)
	if st.Total.Issued != 0 {
		t.Fatalf("%d invitations issued by staff", st.Total.Issued)
	}
}

// staff makes the invitee Thu Hà a staff member (cán bộ hỗ trợ) and links
// her Telegram account (user 101).
func (h *harness) staff() *telegramtest.User {
	h.t.Helper()
	staffRole := convene.RoleStaff
	if _, err := h.svc.People.UpdatePerson(context.Background(), h.invitee("Thu Hà").PersonID, convene.PersonUpdate{Role: &staffRole}); err != nil {
		h.t.Fatal(err)
	}
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	return u
}

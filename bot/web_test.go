package bot_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// webLinks makes sign-in links with the storage service, as cmd does.
type webLinks struct{ svc *storage.WebService }

func (w webLinks) LoginLink(ctx context.Context, accountID int64) (string, error) {
	tok, err := w.svc.CreateLoginLink(ctx, accountID, convene.LoginLinkTTL)
	return "http://desk.test/login/" + tok, err
}

var loginLinkRE = regexp.MustCompile(`http://desk\.test/login/([A-Za-z0-9_-]{43})`)

func TestWebCommand(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ws := storage.NewWebService(h.db)

	t.Run("OffWithoutDesk", func(t *testing.T) {
		ms := h.send(h.user(adminID, "Admin"), "/web", 1)
		if !strings.Contains(ms[0].Text, "--http") {
			t.Errorf("reply %q", ms[0].Text)
		}
	})
	h.bot.SetWebLinks(webLinks{ws})

	t.Run("OrganizerGetsOneTimeLink", func(t *testing.T) {
		ms := h.send(h.organizer(), "/web", 1)
		m := loginLinkRE.FindStringSubmatch(ms[0].Text)
		if m == nil || !strings.Contains(ms[0].Text, "10 phút") {
			t.Fatalf("reply %q", ms[0].Text)
		}
		h.settle()
		// The token went straight to the chat: the database (outbox
		// included) holds only its hash.
		var files []byte
		for _, p := range []string{h.db.DSN, h.db.DSN + "-wal"} {
			b, _ := os.ReadFile(p)
			files = append(files, b...)
		}
		if bytes.Contains(files, []byte(m[1])) {
			t.Error("the sign-in token is stored in the database")
		}
		if _, _, err := ws.RedeemLoginLink(ctx, m[1], convene.SessionTTL); err != nil {
			t.Errorf("redeem: %v", err)
		}
		if _, _, err := ws.RedeemLoginLink(ctx, m[1], convene.SessionTTL); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Errorf("second redeem: %v, want conflict", err)
		}
	})

	t.Run("StaffGetsLink", func(t *testing.T) {
		inv := h.invitee("Thu Hà")
		staff := convene.RoleStaff
		if _, err := h.svc.People.UpdatePerson(ctx, inv.PersonID, convene.PersonUpdate{Role: &staff}); err != nil {
			t.Fatal(err)
		}
		u := h.user(555, "Hà")
		h.link(u, "Thu Hà")
		if ms := h.send(u, "/web", 1); !loginLinkRE.MatchString(ms[0].Text) {
			t.Errorf("staff reply %q", ms[0].Text)
		}
	})

	t.Run("DelegateAndStrangerRefused", func(t *testing.T) {
		d := h.user(556, "Delegate")
		h.link(d, "Quốc Bảo")
		for _, u := range []int64{556, 557} {
			ms := h.send(h.user(u, "X"), "/web", 1)
			if loginLinkRE.MatchString(ms[0].Text) || !strings.Contains(ms[0].Text, "không có quyền") {
				t.Errorf("user %d got %q", u, ms[0].Text)
			}
		}
	})
}

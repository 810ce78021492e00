package bot_test

import (
	"context"
	"strconv"

	"strings"
	"testing"

	"github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func commandNames(cmds []tgbotapi.BotCommand) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Command)
	}
	return strings.Join(names, " ")
}

// TestAgendaInMenus: /agenda is in the delegates' menu in both languages
// (the menu serve registers for every chat), a representative's chat gets
// the delegates' menu with /agenda and /units once linked, as the fake
// Telegram records them, and an organizer's keeps it too.
func TestAgendaInMenus(t *testing.T) {
	h := newHarness(t)
	for lang, desc := range map[string]string{"vi": "Chương trình hội nghị: /agenda [MÃ]", "en": "Meeting program: /agenda [CODE]"} {
		found := false
		for _, c := range h.bot.Menu(lang, false) {
			found = found || (c.Name == "agenda" && c.Description == desc)
			if c.Name == "pending" || c.Name == "units" {
				t.Fatalf("delegates' %s menu has /%s", lang, c.Name)
			}
		}
		if !found {
			t.Fatalf("delegates' %s menu lacks /agenda %q: %+v", lang, desc, h.bot.Menu(lang, false))
		}
	}

	rep := h.user(7001, "Hương")
	h.sendFor(rep, "/start "+h.unit("Nguyễn Du").Token, "Đã liên kết")
	var got string
	h.srv.WaitFor(wait, func() bool { got = commandNames(h.srv.ChatCommands(rep.ID)); return got != "" })
	if !strings.Contains(got, "agenda") || !strings.Contains(got, "units") || !strings.Contains(got, "my") || strings.Contains(got, "pending") {
		t.Fatalf("representative's menu %q", got)
	}
	for _, c := range h.srv.ChatCommands(rep.ID) {
		if c.Command == "units" && c.Description != "Đơn vị cử đại biểu: /units MÃ" {
			t.Fatalf("/units described %q", c.Description)
		}
	}

	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	org := h.organizer()
	h.srv.WaitFor(wait, func() bool { got = commandNames(h.srv.ChatCommands(org.ID)); return got != "" })
	if !strings.Contains(got, "agenda") || !strings.Contains(got, "pending") {
		t.Fatalf("organizer's menu %q", got)
	}
	if cmds := h.srv.ChatCommands(u.ID); len(cmds) != 0 {
		t.Fatalf("a delegate got a chat menu of their own (the default one holds /agenda): %q", commandNames(cmds))
	}
}

// TestMenusByRole: staff get a chat menu with the roll call, the venue QR
// and the web desk, and no other organizer command; RefreshMenus (serve's
// start) gives representatives and staff theirs again, in their language,
// so people linked before a menu changed get the new one.
func TestMenusByRole(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	staff := h.staff()
	var got string
	h.srv.WaitFor(wait, func() bool { got = commandNames(h.srv.ChatCommands(staff.ID)); return got != "" })
	for _, want := range []string{"rollcall", "checkin", "web", "agenda", "my"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Fatalf("staff menu %q lacks /%s", got, want)
		}
	}
	for _, no := range []string{"pending", "report", "broadcast", "invite", "remind", "units", "grant"} {
		if strings.Contains(" "+got+" ", " "+no+" ") {
			t.Fatalf("staff menu %q offers /%s", got, no)
		}
	}

	rep := h.user(7001, "Hương")
	h.sendFor(rep, "/start "+h.unit("Nguyễn Du").Token, "Đã liên kết")
	h.srv.WaitFor(wait, func() bool { return strings.Contains(commandNames(h.srv.ChatCommands(rep.ID)), "units") })
	// Both switch to English without a new menu (as before /lang refreshed
	// it); serve's start puts it right.
	for _, u := range []int64{staff.ID, rep.ID} {
		a, err := h.svc.People.FindAccount(ctx, "telegram", strconv.FormatInt(u, 10))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.svc.People.SetAccountLang(ctx, a.ID, "en"); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.bot.RefreshMenus(ctx); err != nil {
		t.Fatal(err)
	}
	english := func(id int64, name, desc string) {
		t.Helper()
		ok := h.srv.WaitFor(wait, func() bool {
			for _, c := range h.srv.ChatCommands(id) {
				if c.Command == name && c.Description == desc {
					return true
				}
			}
			return false
		})
		if !ok {
			t.Fatalf("chat %d: /%s not described %q: %+v", id, name, desc, h.srv.ChatCommands(id))
		}
	}
	english(rep.ID, "agenda", "Meeting program: /agenda [CODE]")
	english(staff.ID, "agenda", "Meeting program: /agenda [CODE]")
	if got := commandNames(h.srv.ChatCommands(staff.ID)); !strings.Contains(got, "rollcall") || strings.Contains(got, "pending") {
		t.Fatalf("staff menu after refresh %q", got)
	}
	if got := commandNames(h.srv.ChatCommands(rep.ID)); !strings.Contains(got, "units") || strings.Contains(got, "rollcall") {
		t.Fatalf("representative's menu after refresh %q", got)
	}
}

// TestLangRefreshesChatMenu: an organizer who switches to English gets her
// chat's own menu again in English.
func TestLangRefreshesChatMenu(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	described := func(desc string) bool {
		return h.srv.WaitFor(wait, func() bool {
			for _, c := range h.srv.ChatCommands(org.ID) {
				if c.Command == "agenda" && c.Description == desc {
					return true
				}
			}
			return false
		})
	}
	if !described("Chương trình hội nghị: /agenda [MÃ]") {
		t.Fatalf("organizer's menu %+v", h.srv.ChatCommands(org.ID))
	}
	h.sendFor(org, "/lang en", "English")
	if !described("Meeting program: /agenda [CODE]") {
		t.Fatalf("organizer's menu after /lang en %+v", h.srv.ChatCommands(org.ID))
	}
	if got := commandNames(h.srv.ChatCommands(org.ID)); !strings.Contains(got, "pending") {
		t.Fatalf("organizer's menu lost her commands: %q", got)
	}
}

package bot_test

import (
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

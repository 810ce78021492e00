package bot_test

import (
	"context"
	"strings"
	"testing"
)

// TestUnitsPaged: /units shows the totals and a page of units with the
// pager; the next page shows the following units under the same totals,
// and every unit is on exactly one page.
func TestUnitsPaged(t *testing.T) {
	h := newHarnessWith(t, func(h *harness) { h.bot.PageSize = 2 })
	units, err := h.svc.Units.FindUnits(context.Background(), h.m.ID)
	if err != nil || len(units) < 3 {
		t.Fatalf("the example meeting has %d units (want 3 or more), %v", len(units), err)
	}
	org := h.organizer()
	first := h.sendFor(org, "/units chi-bo-01", "ĐƠN VỊ CỬ ĐẠI BIỂU")
	header, _, _ := strings.Cut(first.Text, "\n\n")
	seen := map[string]int{}
	msg := first
	for page := 1; ; page++ {
		if h, _, _ := strings.Cut(msg.Text, "\n\n"); h != header {
			t.Fatalf("page %d header %q, want %q", page, h, header)
		}
		n := 0
		for _, u := range units {
			if strings.Contains(msg.Text, "🏛 "+u.Name) {
				seen[u.Name]++
				n++
			}
		}
		if n == 0 || n > 2 {
			t.Fatalf("page %d shows %d units:\n%s", page, n, msg.Text)
		}
		if page*2 >= len(units) {
			break
		}
		next := buttonData(t, msg, "Trang sau")
		before := msg.Text
		h.press(org, msg.ID, next)
		if !h.srv.WaitFor(wait, func() bool {
			for _, m := range h.srv.Messages(org.ID) {
				if m.ID == msg.ID && m.Text != before {
					msg = m
					return true
				}
			}
			return false
		}) {
			t.Fatalf("page %d never shown", page+1)
		}
	}
	for _, u := range units {
		if seen[u.Name] != 1 {
			t.Fatalf("unit %s shown on %d pages", u.Name, seen[u.Name])
		}
	}
}

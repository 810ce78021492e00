package bot_test

import (
	"strings"
	"testing"
	"time"
)

func TestAbuseLimits(t *testing.T) {
	t.Run("FloodingAccountSlowedOthersNot", func(t *testing.T) {
		h := newHarness(t)
		flood, other := h.user(501, "Flood"), h.user(502, "Other")
		for i := 0; i < 60; i++ {
			flood.Send("xin chào")
		}
		start := time.Now()
		other.Send("/help")
		h.contains(other.ID, "/my")
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("another account waited %s behind the flood", d)
		}
		h.settle()
		slow, answered := 0, 0
		for _, m := range h.srv.Messages(flood.ID) {
			if strings.Contains(m.Text, "quá nhiều tin nhắn") {
				slow++
			} else {
				answered++
			}
		}
		if slow != 1 {
			t.Errorf("told to slow down %d times, want once", slow)
		}
		if answered < 15 || answered > 25 {
			t.Errorf("%d of 60 flooding messages answered, want about the burst (20)", answered)
		}
	})

	t.Run("CostlyCommandLimited", func(t *testing.T) {
		h := newHarness(t)
		org := h.organizer()
		for i := 0; i < 2; i++ {
			ms := h.send(org, "/report chi-bo-01", 1)
			if strings.Contains(ms[0].Text, "chờ ít phút") {
				t.Fatalf("report %d refused: %q", i+1, ms[0].Text)
			}
			h.settle()
		}
		ms := h.send(org, "/report chi-bo-01", 1)
		if !strings.Contains(ms[0].Text, "chờ ít phút") {
			t.Fatalf("a third report at once was not limited: %q", ms[0].Text)
		}
	})
}

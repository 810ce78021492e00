package bot_test

import (
	"strings"
	"testing"
)

// TestInvitationCarriesProgram: the invitation lists the plan's program and
// who chairs, as /agenda does.
func TestInvitationCarriesProgram(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	for _, want := range []string{"📋 Chương trình hội nghị:", "07:30 – Đón tiếp đại biểu, điểm danh (Văn phòng Đảng ủy)", "Dẫn chương trình: đồng chí Nguyễn Thị Thanh Thủy"} {
		if !strings.Contains(inv.Text, want) {
			t.Fatalf("invitation lacks %q:\n%s", want, inv.Text)
		}
	}
}

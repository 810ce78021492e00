package bot_test

import (
	"strings"
	"testing"

	"github.com/convene/convene"
)

// typed writes a personal code the way a person copies it from a letter by
// hand: in lower case, in groups separated by sep.
func typed(code, sep string) string {
	return strings.ToLower(strings.ReplaceAll(convene.GroupCode(code), " ", sep))
}

// TestZaloLinkByTypedCode: on Zalo a delegate and a unit representative
// link by typing the code printed under the letter's QR code in lower case,
// with spaces or dashes between its groups.
func TestZaloLinkByTypedCode(t *testing.T) {
	h, srv := newZalo(t)
	tok := h.invitee("Thu Hà").Token
	if !convene.IsCode(tok) {
		t.Fatalf("invitation token %q is not a code of %s", tok, convene.CodeAlphabet)
	}
	c := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-typed", "Lê Thị Thu Hà")}
	c.say(typed(tok, " "), "Đã liên kết thành công")
	if got := h.invitee("Thu Hà"); !got.Linked() {
		t.Fatalf("not linked: %+v", got.Invitation)
	}

	rep := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-rep-typed", "Nguyễn Thị Thanh Hương")}
	rep.say(typed(h.unit("Nguyễn Du").Token, "-"), "Đã liên kết thành công")

	stranger := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-wrong", "Người lạ")}
	wrong := []byte(tok)
	if wrong[0] = '2'; tok[0] == '2' {
		wrong[0] = '3'
	}
	stranger.say(typed(string(wrong), " "), "Không tìm thấy giấy mời")
}

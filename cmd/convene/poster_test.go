package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckinPoster: `checkin-link --qr FILE.pdf` writes a one-page A4
// poster that reads back with the meeting, the heading and the check-in
// code the link carries; the link on standard output is unchanged.
func TestCheckinPoster(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils): the poster is not read back")
	}
	env := seeded(t)
	env["CONVENE_BOT_USERNAME"] = "hop_bot"
	path := filepath.Join(t.TempDir(), "poster.pdf")
	out, stderr, code := run(t, env, "checkin-link", "--meeting", "chi-bo-01", "--qr", path)
	if code != 0 {
		t.Fatalf("checkin-link: %s", stderr)
	}
	mustMode(t, path)
	link := strings.TrimSpace(out)
	_, ciCode, ok := strings.Cut(link, "start=")
	if !ok || !strings.HasPrefix(ciCode, "ci-") {
		t.Fatalf("link %q", link)
	}
	text, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	for _, want := range []string{"QUÉT MÃ ĐỂ ĐIỂM DANH", "Hội nghị “sinh hoạt chi bộ thường kỳ” mẫu", "Mã điểm danh: " + ciCode, "Thời gian: lúc 08 giờ 00"} {
		if !strings.Contains(s, want) {
			t.Errorf("poster lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "\f"); n != 1 {
		t.Errorf("poster has %d pages, want 1", n)
	}
	if b, _ := os.ReadFile(path); len(b) == 0 {
		t.Fatal("empty poster")
	}
}

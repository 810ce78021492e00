package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatReportIsTheBoards: the PDF that `/report CODE` sends in chat
// (reporter.Report, the bot's Reporter) is the board's document as the
// example plan describes it, read back from the database: its own number,
// the board's signer and recipients, not the office's signer of the
// letters. Applying the plan again changes nothing.
func TestChatReportIsTheBoards(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	env := seeded(t)
	if out, _, _ := run(t, env, "plan", "apply", repo("examples", "plan-82-KH-DU.yaml")); !strings.Contains(out, "0 created, 0 updated, 2 unchanged") {
		t.Fatalf("second apply: %q", out)
	}
	m := NewMain()
	m.Getenv = func(k string) string { return env[k] }
	m.Config.DB, m.Config.Lang = env["CONVENE_DB"], "vi"
	if err := m.openDB(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, name, err := (&reporter{m: m}).Report(context.Background(), "chi-bo-01", "pdf", "vi")
	if err != nil || name != "chi-bo-01.pdf" {
		t.Fatalf("report %q: %v", name, err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Số 15-BC/BTCĐU", "BAN TỔ CHỨC ĐẢNG ỦY", "TRƯỞNG BAN", "Lê Minh Tuấn", "- Thường trực Đảng ủy (để báo cáo),", "- Lưu Ban Tổ chức Đảng ủy."} {
		if !strings.Contains(text, want) {
			t.Errorf("chat report lacks %q:\n%s", want, text)
		}
	}
	for _, office := range []string{"Trần Văn Bình", "CHÁNH VĂN PHÒNG", "45-GM/ĐU"} {
		if strings.Contains(text, office) {
			t.Errorf("chat report carries the office's %q", office)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPlanApplyMaterials: `convene plan apply` reads the materials' files
// next to the plan; a changed file updates the meeting, an unchanged plan
// changes nothing, and a missing file is refused with its line, storing
// nothing.
func TestPlanApplyMaterials(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(repo("examples", "plan-82-KH-DU.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "tai-lieu"), 0o755)
	for _, f := range []string{"chuong-trinh-hoi-nghi.pdf", "du-thao-bao-cao.docx"} {
		b, err := os.ReadFile(repo("examples", "tai-lieu", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "tai-lieu", f), b, 0o644)
	}
	planPath := filepath.Join(dir, "plan.yaml")
	os.WriteFile(planPath, src, 0o644)
	env := map[string]string{"CONVENE_DB": filepath.Join(t.TempDir(), "m.db")}
	if out, e, code := run(t, env, "plan", "apply", planPath); code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("apply: %d %q %s", code, out, e)
	}
	if out, _, _ := run(t, env, "plan", "apply", planPath); !strings.Contains(out, "0 updated, 2 unchanged") {
		t.Fatalf("re-apply: %q", out)
	}
	// A new version of the draft replaces the material.
	draft := filepath.Join(dir, "tai-lieu", "du-thao-bao-cao.docx")
	b, _ := os.ReadFile(draft)
	os.WriteFile(draft, append(b, 0), 0o644)
	if out, _, _ := run(t, env, "plan", "apply", planPath); !strings.Contains(out, "1 updated, 1 unchanged") {
		t.Fatalf("changed file: %q", out)
	}
	// A missing file: the line and the file, and nothing stored.
	os.Remove(draft)
	lines := strings.Split(string(src), "\n")
	want := 0
	for i, l := range lines {
		if strings.Contains(l, "file: tai-lieu/du-thao-bao-cao.docx") {
			want = i + 1
		}
	}
	_, stderr, code := run(t, env, "plan", "apply", planPath)
	if code == 0 || !strings.Contains(stderr, "line "+strconv.Itoa(want)+": meeting chi-bo-01: material") || !strings.Contains(stderr, "no such file") {
		t.Fatalf("missing file (want line %d): exit %d: %s", want, code, stderr)
	}
}

// TestTryMaterials: in `convene try` (the console, no files) the example
// invitation offers each document as a numbered choice (4, 5); choosing
// one names it with its size and where to get it; /materials numbers them.
func TestTryMaterials(t *testing.T) {
	s := startTry(t)
	s.say(s.code())
	s.waitFor("4. 📎 Tài liệu: Chương trình hội nghị")
	s.waitFor("5. 📎 Tài liệu: Dự thảo báo cáo")
	s.say("5")
	s.waitFor("Dự thảo báo cáo kết quả sinh hoạt chi bộ thường kỳ mẫu (du-thao-bao-cao.docx, 2 KB). Kênh này không gửi được tệp")
	s.say("/materials")
	s.waitFor("2. Dự thảo báo cáo kết quả sinh hoạt chi bộ thường kỳ mẫu (du-thao-bao-cao.docx, 2 KB)")
	s.say("1")
	s.waitFor("Chương trình hội nghị (chuong-trinh-hoi-nghi.pdf, 36 KB). Kênh này không gửi được tệp")
	s.end()
}

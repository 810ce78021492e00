package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
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
	m := NewMain()
	pr, pw := io.Pipe()
	var out syncBuffer
	m.Stdin, m.Stdout, m.Stderr = pr, &out, io.Discard
	m.Getenv = func(k string) string {
		return map[string]string{"CONVENE_LOG_LEVEL": "error", "CONVENE_DB": filepath.Join(t.TempDir(), "unused.db")}[k]
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(context.Background(), []string{"try"}); m.Close() }()
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), s) {
			if time.Now().After(deadline) {
				t.Fatalf("never printed %q; output:\n%s", s, out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	say := func(line string) { fmt.Fprintln(pw, line) }
	waitFor("Ctrl+D")
	code := regexp.MustCompile(`\n  ([A-Za-z0-9_ -]{22,64})\n`).FindStringSubmatch(out.String())
	if code == nil {
		t.Fatalf("no personal code in the banner:\n%s", out.String())
	}
	say(code[1])
	waitFor("4. 📎 Tài liệu: Chương trình hội nghị")
	waitFor("5. 📎 Tài liệu: Dự thảo báo cáo")
	say("5")
	waitFor("Dự thảo báo cáo kết quả sinh hoạt chi bộ thường kỳ mẫu (du-thao-bao-cao.docx, 2 KB). Kênh này không gửi được tệp")
	say("/materials")
	waitFor("2. Dự thảo báo cáo kết quả sinh hoạt chi bộ thường kỳ mẫu (du-thao-bao-cao.docx, 2 KB)")
	say("1")
	waitFor("Chương trình hội nghị (chuong-trinh-hoi-nghi.pdf, 36 KB). Kênh này không gửi được tệp")
	pw.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("try did not end at end of input")
	}
}

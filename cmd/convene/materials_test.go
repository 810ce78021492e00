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

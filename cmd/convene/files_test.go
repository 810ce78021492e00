package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/convene/convene"
)

// mustMode fails unless path is a regular file (not a link) with mode 0600.
func mustMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: mode %v, want a regular file with -rw-------", path, fi.Mode())
	}
}

// plantLink puts a symlink at dir/name pointing to a file outside dir, and returns the target.
func plantLink(t *testing.T, dir, name string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	target := filepath.Join(t.TempDir(), "victim.txt")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return target
}

func mustUntouched(t *testing.T, target string) {
	t.Helper()
	b, err := os.ReadFile(target)
	if err != nil || string(b) != "precious" {
		t.Fatalf("symlink target changed: %q %v", b, err)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o644 {
		t.Fatalf("symlink target mode changed: %v", fi.Mode())
	}
}

func TestCreateFile(t *testing.T) {
	t.Run("NewFileIs0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "r.csv")
		f, err := createFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		mustMode(t, path)
	})
	t.Run("ExistingFileRefused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "report.pdf")
		os.WriteFile(path, []byte("old"), 0o644)
		_, err := createFile(path, false)
		if convene.ErrorCode(err) != convene.ECONFLICT || convene.ErrorMessage(err) != path+" exists; use --force to replace it" {
			t.Fatalf("err %v", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Fatal("existing file changed")
		}
	})
	t.Run("ForceReplacesFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "report.pdf")
		os.WriteFile(path, []byte("old"), 0o644)
		f, err := createFile(path, true)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("new")
		f.Close()
		mustMode(t, path)
		if b, _ := os.ReadFile(path); string(b) != "new" {
			t.Fatalf("content %q", b)
		}
	})
	t.Run("SymlinkRefusedWithoutForce", func(t *testing.T) {
		dir := t.TempDir()
		target := plantLink(t, dir, "out.csv")
		if _, err := createFile(filepath.Join(dir, "out.csv"), false); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("err %v", err)
		}
		mustUntouched(t, target)
	})
	t.Run("DanglingSymlinkRefused", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(t.TempDir(), "not-yet")
		if err := os.Symlink(target, filepath.Join(dir, "out.csv")); err != nil {
			t.Skip(err)
		}
		if _, err := createFile(filepath.Join(dir, "out.csv"), false); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("err %v", err)
		}
		if _, err := os.Lstat(target); err == nil {
			t.Fatal("the link was followed: its target was created")
		}
	})
	t.Run("ForceReplacesSymlinkNotTarget", func(t *testing.T) {
		dir := t.TempDir()
		target := plantLink(t, dir, "out.csv")
		path := filepath.Join(dir, "out.csv")
		f, err := createFile(path, true)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("report")
		f.Close()
		mustMode(t, path)
		mustUntouched(t, target)
	})
	t.Run("ForceRefusesDirectory", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "sub"), 0o755)
		if _, err := createFile(filepath.Join(dir, "sub"), true); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("err %v", err)
		}
	})
}

// TestOutputFiles drives every command that writes a file: each makes it
// 0600, refuses an existing file or a symlink without --force, and with
// --force replaces the link but not the file it pointed to.
func TestOutputFiles(t *testing.T) {
	env := seeded(t)
	env["CONVENE_BOT_USERNAME"] = "hop_bot"
	for _, tc := range []struct {
		name string
		args func(path string) []string
		head []byte
		ext  string // the file name's extension, when the command goes by it
	}{
		{"ReportCSV", func(p string) []string {
			return []string{"report", "--meeting", "chi-bo-01", "--format", "csv", "-o", p}
		}, []byte("\uFEFF"), ""},
		{"ReportPDF", func(p string) []string {
			return []string{"report", "--meeting", "chi-bo-01", "--format", "pdf", "-o", p}
		}, []byte("%PDF"), ""},
		{"Letters", func(p string) []string { return []string{"letters", "--meeting", "chi-bo-01", "-o", p} }, []byte("%PDF"), ""},
		{"CheckinQR", func(p string) []string { return []string{"checkin-link", "--meeting", "chi-bo-01", "--qr", p} }, []byte("\x89PNG"), ""},
		{"CheckinPoster", func(p string) []string { return []string{"checkin-link", "--meeting", "chi-bo-01", "--qr", p} }, []byte("%PDF"), ".pdf"},
		{"Backup", func(p string) []string { return []string{"backup", p} }, []byte("SQLite format 3\x00"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out"+tc.ext)
			with := func(force bool) []string {
				a := tc.args(path)
				if force {
					a = append([]string{a[0], "--force"}, a[1:]...)
				}
				return a
			}
			if _, stderr, code := run(t, env, with(false)...); code != 0 {
				t.Fatalf("first write: %s", stderr)
			}
			mustMode(t, path)
			if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, tc.head) {
				t.Fatalf("not the expected file: %q", b[:min(len(b), 16)])
			}
			_, stderr, code := run(t, env, with(false)...)
			if code != 1 || strings.TrimSpace(stderr) != "convene: "+path+" exists; use --force to replace it" {
				t.Fatalf("overwrite without --force: exit %d %q", code, stderr)
			}
			if _, stderr, code := run(t, env, with(true)...); code != 0 {
				t.Fatalf("--force: %s", stderr)
			}
			mustMode(t, path)

			os.Remove(path)
			target := plantLink(t, dir, "out"+tc.ext)
			if _, _, code := run(t, env, with(false)...); code != 1 {
				t.Fatalf("symlink without --force: exit %d", code)
			}
			mustUntouched(t, target)
			if _, stderr, code := run(t, env, with(true)...); code != 0 {
				t.Fatalf("symlink with --force: %s", stderr)
			}
			mustMode(t, path)
			mustUntouched(t, target)
			if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, tc.head) {
				t.Fatal("forced write lost its content")
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// run runs the program with args and environment env on a temp database
// unless args name one; it returns stdout, stderr and the exit code.
func run(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	m := NewMain()
	var out, errb bytes.Buffer
	m.Stdout, m.Stderr, m.Stdin = &out, &errb, strings.NewReader("")
	m.Getenv = func(k string) string { return env[k] }
	err := m.Run(context.Background(), args)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	code := exitCode(&errb, err)
	return out.String(), errb.String(), code
}

func repo(parts ...string) string { return filepath.Join(append([]string{"..", ".."}, parts...)...) }

// seeded returns an environment with a database holding the example plan and roster.
func seeded(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"CONVENE_DB": filepath.Join(t.TempDir(), "c.db")}
	if _, e, code := run(t, env, "plan", "apply", repo("examples", "plan-82-KH-DU.yaml")); code != 0 {
		t.Fatalf("plan apply: %s", e)
	}
	if _, e, code := run(t, env, "roster", "import", "--meeting", "chi-bo-01", repo("examples", "roster-chi-bo-01.csv")); code != 0 {
		t.Fatalf("roster import: %s", e)
	}
	return env
}

func TestUsage(t *testing.T) {
	env := map[string]string{"CONVENE_DB": filepath.Join(t.TempDir(), "u.db")}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"NoCommand", nil, "no command given"},
		{"UnknownCommand", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"MissingSubcommand", []string{"plan"}, "plan: missing subcommand"},
		{"UnknownFlag", []string{"links", "--nope"}, "flag provided but not defined"},
		{"MissingMeeting", []string{"invite"}, "--meeting CODE is required"},
		{"MissingFile", []string{"plan", "apply"}, "takes 1 argument"},
		{"BroadcastWithoutText", []string{"broadcast", "--meeting", "x"}, "needs the TEXT"},
		{"BadFormat", []string{"report", "--meeting", "x", "--format", "doc"}, "--format must be"},
		{"BadSendRate", []string{"serve", "--send-rate", "fast"}, "send rate must be a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := run(t, env, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "usage: ") {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
	t.Run("ErrorsExit1WithOneLine", func(t *testing.T) {
		_, stderr, code := run(t, env, "invite", "--meeting", "khong-co")
		if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, `no meeting with code "khong-co"`) {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("BadEnvironment", func(t *testing.T) {
		_, stderr, code := run(t, map[string]string{"CONVENE_LANG": "fr"}, "links", "--meeting", "x")
		if code != 1 || !strings.Contains(stderr, "CONVENE_LANG: language must be vi or en") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestConfigFlagBeatsEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CONVENE_DB": filepath.Join(dir, "env.db")}
	if _, e, code := run(t, env, "plan", "apply", "--db", filepath.Join(dir, "flag.db"), repo("examples", "plan-82-KH-DU.yaml")); code != 0 {
		t.Fatal(e)
	}
	if _, err := os.Stat(filepath.Join(dir, "flag.db")); err != nil {
		t.Fatal("--db was not used")
	}
	if _, err := os.Stat(filepath.Join(dir, "env.db")); err == nil {
		t.Fatal("CONVENE_DB was used although --db was given")
	}
}

func TestPlanAndRoster(t *testing.T) {
	env := map[string]string{"CONVENE_DB": filepath.Join(t.TempDir(), "p.db")}
	out, _, code := run(t, env, "plan", "apply", repo("examples", "plan-82-KH-DU.yaml"))
	if code != 0 || !strings.Contains(out, "2 created, 0 updated, 0 unchanged") {
		t.Fatalf("first apply: %q", out)
	}
	out, _, _ = run(t, env, "plan", "apply", repo("examples", "plan-82-KH-DU.yaml"))
	if !strings.Contains(out, "0 created, 0 updated, 2 unchanged") {
		t.Fatalf("second apply: %q", out)
	}
	t.Run("BadRosterRejectedWhole", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.csv")
		os.WriteFile(bad, []byte("Họ và tên,Thành phần,Số điện thoại\nNguyễn Văn A,dang-vien,0912345678\n,dang-vien,\nTrần B,bao-chi,0912345679\nLê C,dang-vien,12\n"), 0o644)
		_, stderr, code := run(t, env, "roster", "import", "--meeting", "chi-bo-01", bad)
		if code != 1 {
			t.Fatalf("exit %d", code)
		}
		for _, want := range []string{"row 3", "row 5"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q: %s", want, stderr)
			}
		}
		out, _, _ := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "json")
		if strings.TrimSpace(out) != "[]" {
			t.Fatalf("something was imported: %s", out)
		}
	})
	t.Run("UnknownCategoryNamesRow", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "cat.csv")
		os.WriteFile(bad, []byte("full_name,category\nNguyễn Văn A,dang-vien\nTrần B,bao-chi\n"), 0o644)
		_, stderr, code := run(t, env, "roster", "import", "--meeting", "chi-bo-01", bad)
		if code != 1 || !strings.Contains(stderr, `row 3: unknown category "bao-chi"`) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("VietnameseHeadersBOMCRLF", func(t *testing.T) {
		out, stderr, code := run(t, env, "roster", "import", "--meeting", "chi-bo-04", repo("examples", "roster-chi-bo-01-vi.csv"))
		if code != 0 || !strings.Contains(out, "26 rows") {
			t.Fatalf("exit %d %q %s", code, out, stderr)
		}
	})
}

func TestLinksAndReports(t *testing.T) {
	env := seeded(t)
	t.Run("LinksCSV", func(t *testing.T) {
		out, _, code := run(t, env, "links", "--meeting", "chi-bo-01", "--bot-username", "hop_bot")
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != 0 || err != nil || len(rows) != 27 || rows[0][5] != "link" {
			t.Fatalf("links: %v %d rows", err, len(rows))
		}
		for _, r := range rows[1:] {
			// A token starting with "-" (base64url) gets the CSV-injection quote.
			tok := r[4]
			if strings.HasPrefix(tok, "'") {
				tok = tok[1:]
				if !strings.HasPrefix(tok, "-") {
					t.Fatalf("token quoted without need: %v", r)
				}
			}
			if !strings.HasPrefix(r[5], "https://t.me/hop_bot?start=") || !strings.HasSuffix(r[5], tok) || len(tok) < 22 {
				t.Fatalf("row %v", r)
			}
			if r[3] != "" && !strings.HasPrefix(r[3], "0") {
				t.Fatalf("phone %q not in national form", r[3])
			}
		}
	})
	t.Run("LinksJSONWithoutUsernameWarns", func(t *testing.T) {
		out, stderr, code := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "json")
		var rows []map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 26 {
			t.Fatalf("json links: %s", out)
		}
		// --bot-username above stored the name, so it is known now.
		if strings.Contains(stderr, "unknown") || !strings.HasPrefix(rows[0]["link"].(string), "https://t.me/hop_bot") {
			t.Fatalf("stored username not used: %s %v", stderr, rows[0])
		}
	})
	dir := t.TempDir()
	for _, f := range []string{"json", "csv", "md", "xlsx", "pdf"} {
		t.Run("Report"+strings.ToUpper(f), func(t *testing.T) {
			path := filepath.Join(dir, "r."+f)
			if _, stderr, code := run(t, env, "report", "--meeting", "chi-bo-01", "--format", f, "-o", path); code != 0 {
				t.Fatal(stderr)
			}
			b, _ := os.ReadFile(path)
			switch f {
			case "json":
				var r struct {
					Invitees []map[string]any `json:"invitees"`
					Summary  map[string]any   `json:"summary"`
				}
				if json.Unmarshal(b, &r) != nil || len(r.Invitees) != 26 || r.Summary["invited"].(float64) != 26 {
					t.Fatalf("json report %s", b[:200])
				}
			case "pdf":
				if !bytes.HasPrefix(b, []byte("%PDF")) {
					t.Fatal("not a PDF")
				}
			default:
				if len(b) < 100 {
					t.Fatalf("%s report is %d bytes", f, len(b))
				}
			}
		})
	}
	t.Run("BinaryFormatsNeedOutputFile", func(t *testing.T) {
		if _, _, code := run(t, env, "report", "--meeting", "chi-bo-01", "--format", "xlsx"); code != 2 {
			t.Fatalf("exit %d", code)
		}
	})
	t.Run("Letters", func(t *testing.T) {
		path := filepath.Join(dir, "letters.pdf")
		out, stderr, code := run(t, env, "letters", "--meeting", "chi-bo-01", "-o", path)
		b, _ := os.ReadFile(path)
		// A letter to each invitee, and one to each unit of the example plan.
		if code != 0 || !regexp.MustCompile(`\(26 to invitees, [1-9][0-9]* to units\)`).MatchString(out) || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Fatalf("letters: %s %s", out, stderr)
		}
	})
	t.Run("CheckinLinkAndQR", func(t *testing.T) {
		png := filepath.Join(dir, "venue.png")
		out, _, code := run(t, env, "checkin-link", "--meeting", "chi-bo-01", "--qr", png)
		b, _ := os.ReadFile(png)
		if code != 0 || !strings.HasPrefix(out, "https://t.me/hop_bot?start=ci-") || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Fatalf("checkin-link %q", out)
		}
		again, _, _ := run(t, env, "checkin-link", "--meeting", "chi-bo-01")
		if again != out {
			t.Fatal("the check-in link changed between runs")
		}
	})
	t.Run("QueueingCommands", func(t *testing.T) {
		for _, args := range [][]string{
			{"invite", "--meeting", "chi-bo-01"},
			{"remind", "--meeting", "chi-bo-01", "--audience", "pending"},
			{"broadcast", "--meeting", "chi-bo-01", "--audience", "category=thanh-uy", "Họp", "lúc", "8", "giờ"},
			{"feedback", "open", "--meeting", "chi-bo-01"},
		} {
			out, stderr, code := run(t, env, args...)
			if code != 0 || !strings.Contains(out, "chi-bo-01: ") {
				t.Fatalf("%v: exit %d %q %s", args, code, out, stderr)
			}
		}
		if _, stderr, code := run(t, env, "remind", "--meeting", "chi-bo-01", "--audience", "everyone"); code != 1 || !strings.Contains(stderr, "unknown audience") {
			t.Fatalf("bad audience: %d %s", code, stderr)
		}
	})
	t.Run("Backup", func(t *testing.T) {
		path := filepath.Join(dir, "backup.db")
		if _, stderr, code := run(t, env, "backup", path); code != 0 {
			t.Fatal(stderr)
		}
		out, _, code := run(t, map[string]string{"CONVENE_DB": path}, "links", "--meeting", "chi-bo-01", "--format", "json")
		var rows []any
		if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 26 {
			t.Fatalf("backup unreadable: %s", out)
		}
	})
}

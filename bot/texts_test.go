package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/convene/convene/texts"
)

func loadTextFile(t *testing.T, lang string) map[string]string {
	t.Helper()
	data, err := texts.File(lang)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s.yaml: %v", lang, err)
	}
	return m
}

func TestCatalog(t *testing.T) {
	vi, en := loadTextFile(t, "vi"), loadTextFile(t, "en")
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("EveryKeyInBothLanguages", func(t *testing.T) {
		for k := range vi {
			if _, ok := en[k]; !ok {
				t.Errorf("key %q is in vi but not en", k)
			}
		}
		for k := range en {
			if _, ok := vi[k]; !ok {
				t.Errorf("key %q is in en but not vi", k)
			}
		}
		for _, k := range c.IDs() {
			for _, lang := range Langs {
				if !c.Has(lang, k) {
					t.Errorf("catalog lacks %q in %s", k, lang)
				}
			}
		}
	})

	t.Run("NoEmptyTexts", func(t *testing.T) {
		for lang, m := range map[string]map[string]string{"vi": vi, "en": en} {
			for k, v := range m {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s: %q is empty", lang, k)
				}
			}
		}
	})

	t.Run("VietnameseHasDiacritics", func(t *testing.T) {
		for _, k := range []string{"btn.attend", "btn.decline", "invite.body", "fbq.weaknesses", "weekday.4"} {
			if !strings.ContainsAny(vi[k], "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ") {
				t.Errorf("vi %q = %q has no Vietnamese letters", k, vi[k])
			}
		}
	})

	t.Run("EveryKeyUsedInCodeExists", func(t *testing.T) {
		files, _ := filepath.Glob("*.go")
		// Receivers: b (*Bot, core) and h (the feature handlers).
		re := regexp.MustCompile(`(?:\b[bh]\.t\(r, |\b[bh]\.say\(ctx, r, |T\((?:r\.)?[Ll]ang, |\b[bh]\.Texts\.T\([a-zA-Z.]+, )"([a-z_.0-9]+)"`)
		used := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				key := m[1]
				if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "_") {
					continue // a prefix completed at run time; checked below
				}
				used++
				if _, ok := vi[key]; !ok {
					t.Errorf("%s uses %q, missing from the catalog", f, key)
				}
			}
		}
		if used < 100 {
			t.Fatalf("found only %d keys in the code: the pattern is broken", used)
		}
		// Keys built at run time from a prefix and a value.
		for _, k := range []string{"rsvp.pending", "rsvp.attending", "rsvp.declined", "rsvp.substitute",
			"rsvp.thanks_attending", "rsvp.thanks_declined", "rsvp.thanks_substitute", "rsvp.thanks_pending",
			"status.draft", "status.invited", "status.held", "status.closed",
			"checkin.done_present", "checkin.done_late", "sub.ask_name", "sub.ask_title", "sub.ask_phone",
			"fbq.strengths", "fbq.weaknesses", "fbq.suggestions", "fbq.rating"} {
			if _, ok := vi[k]; !ok {
				t.Errorf("run-time key %q missing", k)
			}
		}
		b := &Bot{}
		for _, cmd := range b.commands() {
			if _, ok := vi["menu."+cmd.name]; !ok {
				t.Errorf("menu text of /%s missing", cmd.name)
			}
		}
	})

	t.Run("TemplatesRender", func(t *testing.T) {
		got := c.T("vi", "time.format", map[string]any{"Clock": "08:00", "Weekday": "thứ Năm", "Day": "28", "Month": "03", "Year": "2024"})
		if got != "08:00, thứ Năm, 28/03/2024" {
			t.Errorf("time.format = %q", got)
		}
		if got := c.T("xx", "btn.attend", nil); got != vi["btn.attend"] {
			t.Errorf("unknown language should fall back to vi, got %q", got)
		}
	})
}

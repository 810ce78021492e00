// Package texts is the message catalog: every text a person reads, in
// Vietnamese and English, for the bot, the reports and the letters alike.
package texts

import (
	"embed"
	"fmt"
	"log/slog"
	"sort"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed *.yaml
var files embed.FS

// Langs are the languages of the catalog; the first is the default.
var Langs = []string{"vi", "en"}

// Defaults are the template parameters every text may use without the caller
// passing them: the names of the bodies a delegate deals with, as a plan names
// them when it says nothing else. A caller that passes an empty string for one
// of them gets the default too.
var Defaults = map[string]any{
	"Office": "Văn phòng Đảng ủy",
	"Board":  "Ban Tổ chức Đảng ủy",
}

// Catalog holds every text a person reads, in Vietnamese and English.
type Catalog struct {
	locs map[string]*i18n.Localizer
	ids  []string
}

// New loads the embedded message files.
func New() (*Catalog, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{locs: map[string]*i18n.Localizer{}}
	for _, lang := range Langs {
		f, err := b.LoadMessageFileFS(files, lang+".yaml")
		if err != nil {
			return nil, fmt.Errorf("load texts %s: %w", lang, err)
		}
		if lang == Langs[0] {
			for _, m := range f.Messages {
				c.ids = append(c.ids, m.ID)
			}
			sort.Strings(c.ids)
		}
		c.locs[lang] = i18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// Must is New for package initialization: it panics if the embedded files
// do not load, which a test of this package catches first.
func Must() *Catalog {
	c, err := New()
	if err != nil {
		panic(err)
	}
	return c
}

// File returns the raw message file of lang, for tests that compare the
// languages key by key.
func File(lang string) ([]byte, error) { return files.ReadFile(lang + ".yaml") }

// IDs returns the message ids of the default language, sorted.
func (c *Catalog) IDs() []string { return c.ids }

// T returns message id in lang (the default if lang is unknown), filled with
// data and Defaults. A missing id is logged and returned as is, so it shows
// up in tests.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	loc, ok := c.locs[lang]
	if !ok {
		loc = c.locs[Langs[0]]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: withDefaults(data)})
	if err != nil {
		slog.Error("missing text", "lang", lang, "id", id, "err", err)
		return id
	}
	return s
}

// Has reports whether id exists in lang without falling back.
func (c *Catalog) Has(lang, id string) bool {
	loc, ok := c.locs[lang]
	if !ok {
		return false
	}
	_, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	return err == nil && tag.String() == lang
}

// withDefaults returns data with Defaults filled in where data has no value or
// an empty string.
func withDefaults(data map[string]any) map[string]any {
	out := make(map[string]any, len(data)+len(Defaults))
	for k, v := range Defaults {
		out[k] = v
	}
	for k, v := range data {
		if s, ok := v.(string); ok && s == "" {
			if _, def := Defaults[k]; def {
				continue
			}
		}
		out[k] = v
	}
	return out
}

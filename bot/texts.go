package bot

import (
	"embed"
	"fmt"
	"log/slog"
	"sort"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed texts/*.yaml
var textFiles embed.FS

// Langs are the languages of the catalog; the first is the default.
var Langs = []string{"vi", "en"}

// Catalog holds every text a person reads, in Vietnamese and English.
type Catalog struct {
	locs map[string]*i18n.Localizer
	ids  []string
}

// NewCatalog loads the embedded message files.
func NewCatalog() (*Catalog, error) {
	b := i18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{locs: map[string]*i18n.Localizer{}}
	for _, lang := range Langs {
		f, err := b.LoadMessageFileFS(textFiles, "texts/"+lang+".yaml")
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

// IDs returns the message ids of the default language, sorted.
func (c *Catalog) IDs() []string { return c.ids }

// T returns message id in lang (the default if lang is unknown), filled with
// data. A missing id is logged and returned as is, so it shows up in tests.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	loc, ok := c.locs[lang]
	if !ok {
		loc = c.locs[Langs[0]]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
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

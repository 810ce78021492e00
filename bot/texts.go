package bot

import "github.com/convene/convene/texts"

// Langs are the languages of the catalog; the first is the default.
var Langs = texts.Langs

// Catalog holds every text a person reads, in Vietnamese and English. It is
// the shared catalog of package texts, which the reports use too.
type Catalog = texts.Catalog

// NewCatalog loads the embedded message files.
func NewCatalog() (*Catalog, error) { return texts.New() }

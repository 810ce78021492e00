package report

import (
	"time"

	"github.com/convene/convene/texts"
)

// catalog is the shared message catalog; the report's labels are its
// "report." texts.
var catalog = texts.Must()

// T returns the label id ("report." + id in the catalog) in lang.
func T(lang, id string) string { return catalog.T(lang, "report."+id, nil) }

// Tf returns the label id in lang filled with data.
func Tf(lang, id string, data map[string]any) string { return catalog.T(lang, "report."+id, data) }

// when formats t for the report's language in the meeting's zone, the way
// the bot does: "08:00, thứ Năm, 28/03/2024".
func when(d *Data, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return catalog.Time(d.Lang, t.In(d.Meeting.Location()))
}

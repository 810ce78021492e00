package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// UnitHeader is the header of the units table in CSV: the JSON row's keys.
var UnitHeader = []string{"unit", "category", "asked", "nominated", "linked", "attending"}

// UnitGroup is one unit's rows of the units section, with its totals.
type UnitGroup struct {
	Unit      string
	Rows      []convene.UnitCount
	Asked     int
	Nominated int
}

// GroupUnits gathers the rows by unit, keeping their order.
func GroupUnits(rows []convene.UnitCount) []UnitGroup {
	var out []UnitGroup
	at := map[int64]int{}
	for _, r := range rows {
		i, ok := at[r.UnitID]
		if !ok || r.UnitID == 0 && out[i].Unit != r.Unit {
			i = len(out)
			at[r.UnitID] = i
			out = append(out, UnitGroup{Unit: r.Unit})
		}
		g := &out[i]
		g.Rows = append(g.Rows, r)
		g.Asked += r.Asked
		g.Nominated += r.Nominated
	}
	return out
}

// SentNobody returns the units that were asked for delegates and have nominated none.
func SentNobody(rows []convene.UnitCount) []string {
	var out []string
	for _, g := range GroupUnits(rows) {
		if g.Asked > 0 && g.Nominated == 0 {
			out = append(out, g.Unit)
		}
	}
	return out
}

// unitRecord is a row as CSV cells.
func unitRecord(r convene.UnitCount) []string {
	return []string{r.Unit, r.Category, strconv.Itoa(r.Asked), strconv.Itoa(r.Nominated), strconv.Itoa(r.Linked), strconv.Itoa(r.Attending)}
}

// UnitsCSV writes the units table: UnitHeader, then one row per unit and
// category, through the CSV writer that neutralises formulas. With bom it
// starts with a UTF-8 BOM for Excel.
func UnitsCSV(w io.Writer, rows []convene.UnitCount, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := NewCSVWriter(w)
	if err := cw.Write(UnitHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(unitRecord(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// UnitsJSON writes the rows as a JSON array of objects with exactly unit,
// category, asked, nominated, linked and attending.
func UnitsJSON(w io.Writer, rows []convene.UnitCount) error {
	if rows == nil {
		rows = []convene.UnitCount{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// UnitsMarkdown writes the units section: each unit with what it was
// asked and sent per category, the total, and the units that sent nobody.
func UnitsMarkdown(w io.Writer, lang string, rows []convene.UnitCount) error {
	var b strings.Builder
	writeUnitsMarkdown(&b, lang, rows)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeUnitsMarkdown(b *strings.Builder, l string, rows []convene.UnitCount) {
	fmt.Fprintf(b, "\n## %s\n", T(l, "units"))
	asked, nominated := 0, 0
	for _, g := range GroupUnits(rows) {
		asked, nominated = asked+g.Asked, nominated+g.Nominated
		fmt.Fprintf(b, "- **%s** (%d/%d)\n", md(g.Unit), g.Nominated, g.Asked)
		for _, r := range g.Rows {
			name := r.CategoryName
			if name == "" {
				name = r.Category
			}
			fmt.Fprintf(b, "  - %s\n", Tf(l, "units_line", map[string]any{"Category": md(name), "Asked": r.Asked,
				"Nominated": r.Nominated, "Linked": r.Linked, "Attending": r.Attending}))
		}
	}
	fmt.Fprintf(b, "\n%s\n", Tf(l, "units_total", map[string]any{"Asked": asked, "Nominated": nominated}))
	if none := SentNobody(rows); len(none) > 0 {
		for i := range none {
			none[i] = md(none[i])
		}
		fmt.Fprintf(b, "\n**%s** (%d): %s\n", T(l, "units_none_sent"), len(none), strings.Join(none, "; "))
	} else {
		fmt.Fprintf(b, "\n%s\n", T(l, "units_all_sent"))
	}
}

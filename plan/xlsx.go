package plan

import (
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/convene/convene"
)

// readXLSX feeds rr the rows of a workbook's first sheet, streamed, numbered
// as the sheet numbers them.
func readXLSX(r io.Reader, rr *rosterReader) (err error) {
	defer func() {
		// excelize is not hardened against every malformed file.
		if p := recover(); p != nil {
			err = convene.Errorf(convene.EINVALID, "roster: the workbook cannot be read: %v", p)
		}
	}()
	f, err := excelize.OpenReader(r)
	if err != nil {
		return convene.Errorf(convene.EINVALID, "roster: not an .xlsx workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return convene.Errorf(convene.EINVALID, "roster: the workbook has no sheets")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return convene.Errorf(convene.EINVALID, "roster: sheet %q: %v", sheets[0], err)
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return convene.Errorf(convene.EINVALID, "roster: sheet %q row %d: %v", sheets[0], n, err)
		}
		if err := rr.add(n, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return convene.Errorf(convene.EINVALID, "roster: sheet %q: %v", sheets[0], err)
	}
	return nil
}

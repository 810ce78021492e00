package plan_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/convene/convene"
	"github.com/convene/convene/plan"
)

func TestReadRosterExamples(t *testing.T) {
	en, err := plan.ReadRosterFile("../examples/roster-chi-bo-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	vi, err := plan.ReadRosterFile("../examples/roster-chi-bo-01-vi.csv")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("SameData", func(t *testing.T) {
		if !reflect.DeepEqual(en, vi) {
			t.Errorf("the English and Vietnamese rosters differ:\n%+v\n%+v", en, vi)
		}
	})
	t.Run("Values", func(t *testing.T) {
		if len(en) != 26 {
			t.Fatalf("got %d entries, want 26", len(en))
		}
		cats, roles, noPhone := map[string]int{}, map[convene.Role]int{}, 0
		for i, e := range en {
			if e.Row != i+2 {
				t.Errorf("entry %d has row %d, want %d", i, e.Row, i+2)
			}
			cats[e.Category]++
			roles[e.Role]++
			if e.Phone == "" {
				noPhone++
			}
		}
		for _, c := range []string{"thanh-uy", "ban-to-chuc", "dang-uy-so", "cap-uy-co-so", "cap-uy-chi-bo", "dang-vien"} {
			if cats[c] == 0 {
				t.Errorf("no one in category %s", c)
			}
		}
		if roles[convene.RoleOrganizer] != 2 || noPhone != 2 {
			t.Errorf("organizers %d, without phone %d; want 2, 2", roles[convene.RoleOrganizer], noPhone)
		}
		want := convene.RosterEntry{Row: 2, FullName: "Trần Minh Khoa", Title: "Phó Bí thư Thành ủy", Unit: "Thành ủy TP. Hồ Chí Minh",
			Category: "thanh-uy", Phone: "+84903112233", Role: convene.RoleDelegate}
		if !reflect.DeepEqual(en[0], want) {
			t.Errorf("row 2 = %+v\nwant    %+v", en[0], want)
		}
		org := en[7]
		if org.FullName != "Đặng Thị Ngọc Trâm" || org.Role != convene.RoleOrganizer || org.TelegramID != 6123456789 || org.Email != "tram.dtn@example.vn" {
			t.Errorf("row 9 = %+v", org)
		}
		if en[3].Phone != "+84935456789" || en[5].Phone != "+84388901234" || en[13].Phone != "+842838291234" {
			t.Errorf("phones = %s, %s, %s", en[3].Phone, en[5].Phone, en[13].Phone)
		}
	})
}

func TestReadRosterCSVForms(t *testing.T) {
	want := []convene.RosterEntry{
		{Row: 2, FullName: "Nguyễn Văn An", Title: "Bí thư", Unit: "Chi bộ 01", Category: "dang-vien", Phone: "+84912345678", Role: convene.RoleDelegate},
		{Row: 3, FullName: "Lê Thị Bình", Unit: "Văn phòng, Đảng ủy Sở", Category: "dang-uy-so", Phone: "+842838291234", Role: convene.RoleOrganizer},
	}
	tests := []struct {
		name, csv string
		want      []convene.RosterEntry
	}{
		{"CommaLF", "full_name,title,unit,category,phone,role\nNguyễn Văn An,Bí thư,Chi bộ 01,dang-vien,0912 345 678,\nLê Thị Bình,,\"Văn phòng, Đảng ủy Sở\",dang-uy-so,028 3829 1234,organizer\n", want},
		{"BOMCRLFVietnamese", "\ufeffHọ và tên,Chức vụ,Đơn vị,Thành phần,SĐT,Vai trò\r\nNguyễn Văn An,Bí thư,Chi bộ 01,dang-vien,0912.345.678,đại biểu\r\nLê Thị Bình,,\"Văn phòng, Đảng ủy Sở\",dang-uy-so,+84 28 3829 1234,Ban tổ chức\r\n", want},
		{"Semicolon", "Họ tên;Chức vụ;Đơn vị;Thành phần;Điện thoại;Vai trò\nNguyễn Văn An;Bí thư;Chi bộ 01;dang-vien;84912345678;\nLê Thị Bình;;Văn phòng, Đảng ủy Sở;dang-uy-so;02838291234;tổ chức\n", want},
		{"Tab", "full_name\ttitle\tunit\tcategory\tphone\trole\nNguyễn Văn An\tBí thư\tChi bộ 01\tdang-vien\t0912345678\t\nLê Thị Bình\t\tVăn phòng, Đảng ủy Sở\tdang-uy-so\t028 3829 1234\tOrganizer\n", want},
		{"DecomposedAccents", norm.NFD.String("Họ và tên;Chức vụ;Đơn vị;Thành phần;Số điện thoại;Vai trò\nNguyễn Văn An;Bí thư;Chi bộ 01;dang-vien;0912345678;\nLê Thị Bình;;Văn phòng, Đảng ủy Sở;dang-uy-so;02838291234;ban tổ chức\n"), want},
		{"HeaderCaseSpaceOrder", "STT, Category: ,Phone,  Full   Name (*),Unit,Title,ROLE,Ghi chú\n1,dang-vien,0912 345 678,  Nguyễn Văn An ,Chi bộ 01,Bí thư,,x\n2,dang-uy-so,028 3829 1234,Lê Thị Bình,\"Văn phòng, Đảng ủy Sở\",,organizer\n", want},
		{"ShortRows", "full_name,category,unit,title,phone,role\nNguyễn Văn An,dang-vien,Chi bộ 01,Bí thư,0912 345 678\nLê Thị Bình,dang-uy-so,\"Văn phòng, Đảng ủy Sở\",,028 3829 1234,organizer\n", want},
		{"BlankLinesCount", "full_name,title,unit,category,phone,role\n\nNguyễn Văn An,Bí thư,Chi bộ 01,dang-vien,0912 345 678,\n,,,,,\n\nLê Thị Bình,,\"Văn phòng, Đảng ủy Sở\",dang-uy-so,028 3829 1234,organizer\n\n", []convene.RosterEntry{
			func() convene.RosterEntry { e := want[0]; e.Row = 3; return e }(),
			func() convene.RosterEntry { e := want[1]; e.Row = 6; return e }(),
		}},
		{"MultilineCellIsOneRow", "full_name,title,unit,category,phone,role\nNguyễn Văn An,\"Bí thư\",Chi bộ 01,dang-vien,0912 345 678,\nLê Thị Bình,,\"Văn phòng,\nĐảng ủy Sở\",dang-uy-so,028 3829 1234,organizer\nTrần Văn Cường,,,dang-vien,,\n", append(append([]convene.RosterEntry{}, want[0]),
			func() convene.RosterEntry { e := want[1]; e.Unit = "Văn phòng,\nĐảng ủy Sở"; return e }(),
			convene.RosterEntry{Row: 4, FullName: "Trần Văn Cường", Category: "dang-vien", Role: convene.RoleDelegate},
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plan.ReadRoster(strings.NewReader(tt.csv), "csv")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadRosterXLSX(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần", "Số điện thoại", "Telegram ID", "Vai trò"},
		{1, "Nguyễn Văn An", "Bí thư", "Chi bộ 01", "dang-vien", 912345678, 5012345678, ""},
		{2, " Lê Thị Bình ", nil, "Văn phòng Đảng ủy Sở", "dang-uy-so", "028 3829 1234", nil, "Ban tổ chức"},
		nil, // an empty row still has its number
		{4, norm.NFD.String("Trần Văn Cường"), nil, nil, "dang-vien", "+84 987 654 321", nil, "đại diện đơn vị"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if r != nil {
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.NewSheet("Ghi chú") // a second sheet is not read
	f.SetCellValue("Ghi chú", "A1", "full_name")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := plan.ReadRoster(&buf, "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	want := []convene.RosterEntry{
		{Row: 2, FullName: "Nguyễn Văn An", Title: "Bí thư", Unit: "Chi bộ 01", Category: "dang-vien", Phone: "+84912345678", TelegramID: 5012345678, Role: convene.RoleDelegate},
		{Row: 3, FullName: "Lê Thị Bình", Unit: "Văn phòng Đảng ủy Sở", Category: "dang-uy-so", Phone: "+842838291234", Role: convene.RoleOrganizer},
		{Row: 5, FullName: "Trần Văn Cường", Category: "dang-vien", Phone: "+84987654321", Role: convene.RoleUnitRep},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	t.Run("BadRowsBySheetNumber", func(t *testing.T) {
		f := excelize.NewFile()
		f.SetSheetRow(sheet, "A1", &[]any{"full_name", "category", "phone"})
		f.SetSheetRow(sheet, "A2", &[]any{"An", "a", "0912345678"})
		f.SetSheetRow(sheet, "A7", &[]any{"Bình", "", "12"})
		var buf bytes.Buffer
		f.Write(&buf)
		_, err := plan.ReadRoster(&buf, "xlsx")
		var re *convene.RosterError
		if !errors.As(err, &re) || len(re.Rows) != 1 || re.Rows[0].Row != 7 {
			t.Fatalf("err = %v, want row 7 bad", err)
		}
	})
}

func TestReadRosterBadRows(t *testing.T) {
	csv := strings.Join([]string{
		"full_name,category,phone,email,telegram_id,role",      // 1
		"Nguyễn Văn An,dang-vien,0912 345 678,an@example.vn,,", // 2
		",dang-vien,0912 000 111,,,",                           // 3 no name
		"Lê Thị Bình,dang-vien,,binh@example.vn,123,organizer", // 4
		"Trần Văn Cường,dang-vien,0912 34,,,",                  // 5 short phone
		"Phạm Thị Dung,,,,,",                                   // 6 no category
		"Hoàng Văn Em,dang-vien,,em@example,,",                 // 7 bad email
		"Võ Thị Phương,dang-vien,,,@phuong,",                   // 8 username, not id
		"Đỗ Văn Giang,dang-vien,,,,chairman",                   // 9 unknown role
		"Bùi Thị Hoa,dang-vien,+84912345678,,,",                // 10 same phone as row 2
		"Đặng Văn Ích,dang-vien,,,123,",                        // 11 same telegram id as row 4
		",,abc,,,",                                             // 12 everything wrong
		"Ngô Thị Kim,dang-vien,0987 654 321,,,đại diện đơn vị", // 13
	}, "\r\n")
	got, err := plan.ReadRoster(strings.NewReader(csv), "csv")
	// Every row comes back, the bad ones with their problems, so that the
	// import can add unknown categories to the same list.
	for _, e := range got {
		if bad := e.Row >= 3 && e.Row <= 12 && e.Row != 4; bad != (len(e.Problems) > 0) {
			t.Errorf("row %d: problems %q", e.Row, e.Problems)
		}
	}
	var re *convene.RosterError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *RosterError", err)
	}
	want := []struct {
		row     int
		reasons []string
	}{
		{3, []string{"full name missing"}},
		{5, []string{`phone "0912 34"`}},
		{6, []string{"category missing"}},
		{7, []string{`email "em@example"`}},
		{8, []string{`telegram id "@phuong" must be a number`}},
		{9, []string{`role "chairman"`}},
		{10, []string{"phone +84912345678 is also on row 2"}},
		{11, []string{"telegram id 123 is also on row 4"}},
		{12, []string{"full name missing", "category missing", `phone "abc": not a phone number`}},
	}
	if len(re.Rows) != len(want) {
		t.Fatalf("got %d bad rows, want %d:\n%v", len(re.Rows), len(want), re)
	}
	for i, w := range want {
		r := re.Rows[i]
		if r.Row != w.row {
			t.Errorf("bad row %d is row %d, want %d", i, r.Row, w.row)
		}
		for _, s := range w.reasons {
			if !strings.Contains(r.Reason, s) {
				t.Errorf("row %d: reason %q lacks %q", r.Row, r.Reason, s)
			}
		}
	}
	if msg := err.Error(); !strings.Contains(msg, "9 bad row(s)") || !strings.Contains(msg, "\nrow 3: full name missing") {
		t.Errorf("message = %q", msg)
	}
}

func TestReadRosterFileErrors(t *testing.T) {
	tests := []struct {
		name, format, data string
		want               []string
	}{
		{"Empty", "csv", "", []string{"roster: the file is empty"}},
		{"BlankOnly", "csv", "\n\r\n ; ;\n", []string{"the file is empty"}},
		{"HeaderOnly", "csv", "full_name,category\r\n", []string{"no rows under it"}},
		{"NoCategory", "csv", "Họ và tên,Đơn vị\nAn,X\n", []string{"missing column category", `found "Họ và tên", "Đơn vị"`}},
		{"NoNameNoCategory", "csv", "ten;nhom\nAn;X\n", []string{"missing column full_name", "and category"}},
		{"DataFirst", "csv", "Nguyễn Văn An,dang-vien\n", []string{"the first row must name the columns"}},
		{"DuplicateColumn", "csv", "full_name,Họ và tên,category\n", []string{`columns 1 ("full_name") and 2 ("Họ và tên") both mean full_name`}},
		{"UTF16", "csv", "\xff\xfeH\x00", []string{"UTF-16"}},
		{"Windows1258", "csv", "H\xf7 v\xe0 t\xean,Th\xe0nh ph\xa7n\n", []string{"not UTF-8"}},
		{"UnknownFormat", "ods", "x", []string{`unknown format "ods"`}},
		{"NotXLSX", "xlsx", "full_name,category\nAn,a\n", []string{"not an .xlsx workbook"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plan.ReadRoster(strings.NewReader(tt.data), tt.format)
			if err == nil || got != nil {
				t.Fatalf("got %v, %v; want an error", got, err)
			}
			if convene.ErrorCode(err) != convene.EINVALID {
				t.Errorf("code = %s", convene.ErrorCode(err))
			}
			for _, w := range tt.want {
				if !strings.Contains(convene.ErrorMessage(err), w) {
					t.Errorf("message %q lacks %q", convene.ErrorMessage(err), w)
				}
			}
		})
	}
	t.Run("NonUTF8Cell", func(t *testing.T) {
		_, err := plan.ReadRoster(strings.NewReader("full_name,category\nNguy\xean,a\n"), "csv")
		var re *convene.RosterError
		if !errors.As(err, &re) || re.Rows[0].Row != 2 || !strings.Contains(re.Rows[0].Reason, "not UTF-8") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("Extension", func(t *testing.T) {
		for _, path := range []string{"people.xls", "people.txt", "people"} {
			if _, err := plan.ReadRosterFile(path); convene.ErrorCode(err) != convene.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", path, err)
			}
		}
	})
}

package plan_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/convene/convene"
	"github.com/convene/convene/plan"
)

// FuzzReadRoster checks that no CSV makes ReadRoster panic and that it
// always answers with good entries, a *RosterError naming bad rows, or an
// EINVALID header or format error.
func FuzzReadRoster(f *testing.F) {
	for _, path := range []string{"../examples/roster-chi-bo-01.csv", "../examples/roster-chi-bo-01-vi.csv"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		// The header and a few rows: the fuzzer minimises every new input,
		// which takes long for whole files.
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:5], nil))
		f.Add(bytes.Join(append(lines[:1:1], lines[8:12]...), nil))
	}
	for _, s := range []string{
		"full_name,category\nAn,a\n",
		"Họ tên;Thành phần;SĐT;Vai trò\r\nNguyễn Văn An;dang-vien;0912.345.678;Ban tổ chức\r\n;dang-vien;;\r\n",
		"\ufeffHọ và tên,Thành phần,Telegram ID,Email\n\"Lê, Thị\",a,123,a@b.vn\nB,b,123,x\n",
		"full_name\tcategory\tphone\nAn\ta\t028 3829 1234\n\nBình\tb\t+84 912 345 678\n",
		"full_name,category,unit\n\"An\nB\",a,\"x\"\"y\"\n",
		"STT,full_name,category,role\n1,An,a,unit_rep\n2,Bình,b,chairman\n",
		"full_name,full_name,category\n",
		"x,y\n1,2\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := plan.ReadRoster(strings.NewReader(string(data)), "csv")
		checkRosterAnswer(t, entries, err)
	})
}

func checkRosterAnswer(t *testing.T, entries []convene.RosterEntry, err error) {
	t.Helper()
	if err == nil {
		if len(entries) == 0 {
			t.Fatal("no error and no entries")
		}
		phones, tgs, prev := map[string]bool{}, map[int64]bool{}, 1
		for _, e := range entries {
			if e.Row <= prev {
				t.Fatalf("row %d after row %d", e.Row, prev)
			}
			prev = e.Row
			p := convene.Person{FullName: e.FullName, Phone: e.Phone, Role: e.Role}
			if err := p.Validate(); err != nil || e.Category == "" || e.Role == "" {
				t.Fatalf("row %d: bad entry %+v (%v)", e.Row, e, err)
			}
			for _, s := range []string{e.FullName, e.Title, e.Unit, e.Category, e.Email} {
				if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) || s != strings.TrimSpace(s) {
					t.Fatalf("row %d: cell %q not trimmed NFC UTF-8", e.Row, s)
				}
			}
			if (e.Phone != "" && phones[e.Phone]) || (e.TelegramID != 0 && tgs[e.TelegramID]) || e.TelegramID < 0 {
				t.Fatalf("row %d: phone or telegram id repeated or negative: %+v", e.Row, e)
			}
			phones[e.Phone], tgs[e.TelegramID] = true, true
		}
		return
	}
	var re *convene.RosterError
	if entries != nil && !errors.As(err, &re) {
		t.Fatalf("entries returned with error %v", err)
	}
	if errors.As(err, &re) {
		bad := 0
		for _, e := range entries {
			if len(e.Problems) > 0 {
				bad++
			}
		}
		if bad != len(re.Rows) {
			t.Fatalf("%d entries with problems, %d bad rows", bad, len(re.Rows))
		}
		if len(re.Rows) == 0 {
			t.Fatal("RosterError without rows")
		}
		prev := 1
		for _, r := range re.Rows {
			if r.Row <= prev || r.Reason == "" {
				t.Fatalf("bad row error %+v after row %d", r, prev)
			}
			prev = r.Row
		}
		return
	}
	if convene.ErrorCode(err) != convene.EINVALID || !strings.HasPrefix(convene.ErrorMessage(err), "roster: ") {
		t.Fatalf("neither a RosterError nor a roster format error: %v", err)
	}
}

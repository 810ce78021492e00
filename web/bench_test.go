package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// seed20k adds 20,000 invitees to the env's meeting.
func seed20k(b *testing.B, e *env) {
	b.Helper()
	first := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"}
	mid := []string{"Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc"}
	last := []string{"An", "Bình", "Cường", "Dung", "Hà", "Hải", "Lan", "Sơn", "Tâm", "Yến"}
	entries := make([]convene.RosterEntry, 20_000)
	for i := range entries {
		entries[i] = convene.RosterEntry{Row: i + 2, FullName: fmt.Sprintf("%s %s %s %d", first[i%8], mid[i/8%6], last[i/48%10], i),
			Unit: fmt.Sprintf("Chi bộ %d", i%400), Category: "dang-vien", Phone: fmt.Sprintf("+8490%07d", i)}
	}
	if _, err := storage.NewPlanService(e.db).ImportRoster(context.Background(), "chi-bo-01", entries); err != nil {
		b.Fatal(err)
	}
}

func benchGet(b *testing.B, e *env, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "convene", Value: e.cookies["organizer"]})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%s: %d", path, w.Code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
}

// BenchmarkMeetingPage20k is the meeting page's first page (counts by
// category and 400 units, 50 invitees) with 20,000 invitees; target < 300 ms.
func BenchmarkMeetingPage20k(b *testing.B) {
	e := newEnv(b)
	seed20k(b, e)
	benchGet(b, e, "/m/chi-bo-01")
}

// BenchmarkSearch20k is a name search at the door desk among 20,000
// invitees ("thu ha", accents ignored); target < 100 ms.
func BenchmarkSearch20k(b *testing.B) {
	e := newEnv(b)
	seed20k(b, e)
	benchGet(b, e, "/m/chi-bo-01/desk/list?q=thu+ha")
}

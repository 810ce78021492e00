package storage_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// BenchmarkImportRoster100k imports a generated roster of 100,000 rows into
// a fresh database file and reports ns/op, rows per second, the peak Go heap
// (sampled) and the process's peak resident memory.
func BenchmarkImportRoster100k(b *testing.B) {
	const n = 100_000
	entries := make([]convene.RosterEntry, n)
	cats := []string{"thanh-uy", "cap-uy-co-so", "dang-vien"}
	for i := range entries {
		entries[i] = convene.RosterEntry{Row: i + 2, FullName: fmt.Sprintf("Nguyễn Văn Số %d", i), Title: "Đảng viên",
			Unit: fmt.Sprintf("Chi bộ %d", i%500), Category: cats[i%3], Phone: fmt.Sprintf("+8490%07d", i)}
	}
	p := seedPlan()
	p.Meetings[0].Categories[1].Quota = 0
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storage.NewDB(filepath.Join(b.TempDir(), fmt.Sprint("bench", i, ".db")))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", entries)
		if err != nil {
			b.Fatal(err)
		}
		if res.Invitations != n {
			b.Fatalf("%d invitations", res.Invitations)
		}
		b.StopTimer()
		_ = db.Close()
		b.StartTimer()
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(rss/(1<<20), "peak-rss-MB") // includes SQLite's page cache, outside the Go heap
	}
}

// peakRSS returns the process's peak resident set in bytes (Linux), 0 if unknown.
func peakRSS() float64 {
	buf, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(buf), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb * 1024
		}
	}
	return 0
}

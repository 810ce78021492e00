package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRosterImport100k runs `convene roster import` end to end — CSV
// read, checks, one transaction into SQLite — on a generated roster of
// 100,000 rows, reporting rows/s, the peak Go heap while importing, and the
// process's peak resident memory.
func BenchmarkRosterImport100k(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "roster.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "\uFEFFHọ và tên,Chức vụ,Đơn vị,Thành phần,Số điện thoại\r")
	cats := []string{"thanh-uy", "dang-uy-so", "cap-uy-co-so", "cap-uy-chi-bo", "dang-vien"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "Nguyễn Văn Số %d,Đảng viên,Chi bộ %d,%s,09%08d\r\n", i, i%700, cats[i%len(cats)], i)
	}
	w.Flush()
	f.Close()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := map[string]string{"CONVENE_DB": filepath.Join(dir, fmt.Sprintf("b%d.db", i))}
		if _, e, code := run(&testing.T{}, env, "plan", "apply", repo("examples", "plan-82-KH-DU.yaml")); code != 0 {
			b.Fatal(e)
		}
		runtime.GC()
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
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		out, e, code := run(&testing.T{}, env, "roster", "import", "--meeting", "chi-bo-01", csvPath)
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		wg.Wait()
		if code != 0 {
			b.Fatalf("import: %s %s", out, e)
		}
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(elapsed.Seconds(), "s/import")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(ru.Maxrss)/1024, "max-rss-MB")
		b.StartTimer()
	}
}

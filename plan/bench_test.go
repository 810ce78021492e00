package plan_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/convene/convene/plan"
)

const benchRows = 100_000

var (
	benchFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"}
	benchGiven  = []string{"Văn An", "Thị Bình", "Minh Khoa", "Thu Hà", "Quốc Bảo", "Ngọc Trâm", "Thanh Tùng", "Kim Oanh"}
	benchCats   = []string{"thanh-uy", "ban-to-chuc", "dang-uy-so", "cap-uy-co-so", "cap-uy-chi-bo", "dang-vien"}
	benchPrefix = []string{"090", "091", "093", "094", "096", "097", "098", "086", "088", "032"}
)

// benchRow returns row i of a roster: unique phones in mixed formats, some missing.
func benchRow(i int) []string {
	phone := fmt.Sprintf("%s%07d", benchPrefix[i%len(benchPrefix)], i)
	switch i % 5 {
	case 1:
		phone = phone[:4] + " " + phone[4:7] + " " + phone[7:]
	case 2:
		phone = phone[:4] + "." + phone[4:7] + "." + phone[7:]
	case 3:
		phone = "+84 " + phone[1:]
	case 4:
		if i%10 == 4 {
			phone = ""
		}
	}
	role := ""
	if i%1000 == 0 {
		role = "organizer"
	}
	return []string{
		benchFamily[i%len(benchFamily)] + " " + benchGiven[i%len(benchGiven)] + fmt.Sprint(" ", i),
		"Đảng viên",
		fmt.Sprintf("Chi bộ %02d – Đảng bộ Trường THPT số %d", i%40, i%300),
		benchCats[i%len(benchCats)],
		phone,
		"",
		fmt.Sprint(1_000_000_000 + i),
		role,
	}
}

var benchHeader = []string{"Họ và tên", "Chức vụ", "Đơn vị", "Thành phần", "Số điện thoại", "Email", "Telegram ID", "Vai trò"}

func benchCSV(b *testing.B) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write(benchHeader)
	for i := range benchRows {
		w.Write(benchRow(i))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func benchXLSX(b *testing.B) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter(f.GetSheetName(0))
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, len(benchHeader))
	for i := -1; i < benchRows; i++ {
		cells := benchHeader
		if i >= 0 {
			cells = benchRow(i)
		}
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkReadRoster100k(b *testing.B) {
	benchRead(b, "csv", benchCSV(b))
}

func BenchmarkReadRoster100kXLSX(b *testing.B) {
	benchRead(b, "xlsx", benchXLSX(b))
}

// benchRead reads data b.N times and reports rows/s and the peak heap above
// what was in use before (garbage included, sampled every millisecond).
func benchRead(b *testing.B, format string, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	runtime.GC()
	peak := watchHeap()
	start := time.Now()
	for b.Loop() {
		entries, err := plan.ReadRoster(bytes.NewReader(data), format)
		if err != nil {
			b.Fatal(err)
		}
		if len(entries) != benchRows {
			b.Fatalf("got %d entries", len(entries))
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(benchRows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
}

// watchHeap samples live heap bytes until the returned func is called, which
// returns the largest rise over the starting value.
func watchHeap() func() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(s); return s[0].Value.Uint64() }
	base := read()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan uint64)
	go func() {
		var top uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > base && v-base > top {
				top = v - base
			}
			select {
			case <-ctx.Done():
				done <- top
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { cancel(); return <-done }
}

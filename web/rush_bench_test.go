package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
)

// BenchmarkLiveRush opens 100 dashboards (event streams) on a meeting of
// 20,000 invitees and checks 1,000 of them in at 500 a second, as chat
// would. It reports how long until every dashboard saw each check-in
// (p99 and max, target < 1 s) and how much slower the writes were than the
// same rush with no dashboard open (target < 10 %).
func BenchmarkLiveRush(b *testing.B) {
	e := newEnv(b)
	seed20k(b, e)
	ctx := context.Background()
	invs, _, err := e.invs.FindInvitees(ctx, convene.InvitationFilter{MeetingID: e.m.ID})
	if err != nil {
		b.Fatal(err)
	}
	const rush, rate, dashboards = 1000, 500, 100
	// rushAt checks in invs[from:from+rush] at rate a second and returns
	// each write's commit time and the mean write time.
	rushAt := func(from int) ([]time.Time, time.Duration) {
		done := make([]time.Time, rush)
		var total time.Duration
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for i := 0; i < rush; i++ {
			<-tick.C
			start := time.Now()
			if _, err := e.invs.CheckIn(ctx, invs[from+i].ID, convene.AttendancePresent, time.Time{}, convene.CheckinQR, "bench"); err != nil {
				b.Fatal(err)
			}
			done[i] = time.Now()
			total += done[i].Sub(start)
		}
		return done, total / rush
	}
	var lat []time.Duration
	var slow []float64
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		base := n * 2 * rush
		if base+2*rush > len(invs) {
			b.Fatal("too many iterations: use -benchtime 1x")
		}
		_, quiet := rushAt(base)
		present := base + rush // checked in before the measured rush

		type seen struct {
			at    time.Time
			count int
		}
		streams := make([][]seen, dashboards)
		sctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		ready := make(chan struct{}, dashboards)
		for d := 0; d < dashboards; d++ {
			req, _ := http.NewRequestWithContext(sctx, "GET", e.ts.URL+"/m/chi-bo-01/events", nil)
			req.AddCookie(&http.Cookie{Name: "convene", Value: e.cookies["organizer"]})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer resp.Body.Close()
				sc := bufio.NewScanner(resp.Body)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				first := true
				for sc.Scan() {
					data, ok := strings.CutPrefix(sc.Text(), "data: ")
					if !ok {
						continue
					}
					var lc struct {
						Total convene.Counts `json:"total"`
					}
					if json.Unmarshal([]byte(data), &lc) == nil {
						streams[d] = append(streams[d], seen{time.Now(), lc.Total.Present})
					}
					if first {
						ready <- struct{}{}
						first = false
					}
				}
			}()
		}
		for d := 0; d < dashboards; d++ {
			<-ready
		}
		done, busy := rushAt(base + rush)
		time.Sleep(1500 * time.Millisecond) // the last updates arrive
		cancel()
		wg.Wait()
		for i, at := range done {
			want := present + i + 1
			var worst time.Duration
			for d := range streams {
				k := sort.Search(len(streams[d]), func(j int) bool { return streams[d][j].count >= want })
				if k == len(streams[d]) {
					worst = time.Hour
					break
				}
				worst = max(worst, streams[d][k].at.Sub(at))
			}
			lat = append(lat, worst)
		}
		slow = append(slow, float64(busy-quiet)/float64(quiet)*100)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var s float64
	for _, v := range slow {
		s += v
	}
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-update-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-update-ms")
	b.ReportMetric(s/float64(len(slow)), "rush-slowdown-%")
}

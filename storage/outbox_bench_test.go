package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// BenchmarkClaimDue claims 16 messages at a time from 10,000 queued ones,
// then puts them back, and reports the time per claim: with 2,000 chats of
// 5 the claim stops after a few heads; with 10 chats of 1,000 it finds
// fewer heads than asked and so scans every queued row (the worst case).
func BenchmarkClaimDue(b *testing.B) {
	for _, chats := range []int{2000, 10} {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			db, c := MustOpenDB(b)
			os := storage.NewOutboxService(db)
			var ms []*convene.OutboxMessage
			for i := 0; i < 10000; i++ {
				ms = append(ms, &convene.OutboxMessage{AccountID: 1, Channel: "telegram", ChatID: fmt.Sprint(i % chats), Key: fmt.Sprint("k", i),
					Content: convene.Content{Text: "Kính mời đồng chí dự hội nghị"}})
			}
			if _, err := os.Enqueue(ctx(), ms); err != nil {
				b.Fatal(err)
			}
			channels := []string{"telegram"}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got, err := os.ClaimDue(ctx(), channels, 16)
				if err != nil || len(got) == 0 {
					b.Fatalf("claimed %d: %v", len(got), err)
				}
				b.StopTimer()
				for _, m := range got {
					// Postponed heads leave their followers to be scanned past.
					if err := os.Postpone(ctx(), m.ID, c.Now(), ""); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
			}
			b.StopTimer()
			start := time.Now()
			if _, err := os.NextDue(ctx(), channels); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds()), "nextdue-µs")
		})
	}
}

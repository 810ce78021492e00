package scheduler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
)

func TestRun(t *testing.T) {
	t.Parallel()
	due := mustTime("2024-03-27T01:00:00Z")
	// run starts Run at the minute due and stops it after wait reports true.
	run := func(t *testing.T, e *env, wait func() bool) {
		t.Helper()
		e.clock.Set(due.Add(time.Hour))
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.scheduler().Run(ctx) }()
		deadline := time.Now().Add(5 * time.Second)
		for !wait() {
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("Run did not tick at start; log:\n%s", e.log)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		select {
		case err := <-done:
			must(err)
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
	}
	t.Run("CatchesUpAtStart", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)), due.Add(-time.Hour))
		run(t, e, func() bool { return e.queued("audience:all") == 1 })
	})
	t.Run("RecoversFromAPanickingTick", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)), due.Add(-time.Hour))
		e.rec.fail = func(kind, key string) error { panic("boom") }
		run(t, e, func() bool { return strings.Contains(e.log.String(), "boom") })
		if !strings.Contains(e.log.String(), "level=ERROR msg=\"cron: panic\"") {
			t.Fatalf("panic not logged by cron.Recover:\n%s", e.log)
		}
	})
}

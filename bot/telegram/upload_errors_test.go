package telegram_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
)

// The library leaves the error code at 0 for uploads; the kind must still be right.
func TestUploadErrorsClassified(t *testing.T) {
	srv, ch := newChannel(t)
	srv.NewUser(11, "A", "", "", "").Send("hi")
	srv.NewUser(12, "B", "", "", "").Send("hi")
	srv.Block(12)
	doc := bot.Outgoing{Text: "x", Document: &convene.File{Name: "a.ics", Data: []byte("ICS")}}
	ctx := context.Background()
	if _, err := ch.Send(ctx, "12", doc); bot.KindOf(err) != bot.ErrUnreachable {
		t.Fatalf("blocked upload: %v %v", bot.KindOf(err), err)
	}
	srv.FailFor(300*time.Millisecond, http.StatusBadGateway)
	if _, err := ch.Send(ctx, "11", doc); bot.KindOf(err) != bot.ErrTemporary {
		t.Fatalf("5xx upload: %v %v", bot.KindOf(err), err)
	}
	time.Sleep(350 * time.Millisecond)
	srv.Force429(2)
	if _, err := ch.Send(ctx, "11", doc); bot.KindOf(err) != bot.ErrRateLimited || bot.RetryAfterOf(err) != 2*time.Second {
		t.Fatalf("429 upload: %v %v", bot.KindOf(err), err)
	}
}

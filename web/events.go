package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/convene/convene"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// hub tells live pages about changes. While anyone listens, one goroutine
// polls WebService.LastChange (one indexed row) every PollEvery; on a
// change it counts each watched meeting once and hands the counts to every
// page of that meeting. Chat's writes, the CLI's and other desks' are all
// seen the same way.
type hub struct {
	s    *Server
	mu   sync.Mutex
	subs map[int64]map[chan []byte]bool
	stop context.CancelFunc
	wake chan struct{}
}

func newHub(s *Server) *hub {
	return &hub{s: s, subs: map[int64]map[chan []byte]bool{}, wake: make(chan struct{}, 1)}
}

// subscribe returns a channel of a meeting's counts (JSON) and its cancel.
func (h *hub) subscribe(meetingID int64) (chan []byte, func()) {
	ch := make(chan []byte, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[meetingID] == nil {
		h.subs[meetingID] = map[chan []byte]bool{}
	}
	h.subs[meetingID][ch] = true
	if h.stop == nil {
		// The baseline is read before the caller counts for its first
		// event, so no change falls between the two.
		last, _ := h.s.Web.LastChange(context.Background())
		ctx, cancel := context.WithCancel(context.Background())
		h.stop = cancel
		go h.run(ctx, last)
	}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs[meetingID], ch)
		if len(h.subs[meetingID]) == 0 {
			delete(h.subs, meetingID)
		}
		if len(h.subs) == 0 && h.stop != nil {
			h.stop()
			h.stop = nil
		}
	}
}

// poke makes the poller look now (after a mark made on this server).
func (h *hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *hub) run(ctx context.Context, last int64) {
	t := time.NewTicker(h.s.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.wake:
		}
		n, err := h.s.Web.LastChange(ctx)
		if err != nil {
			if ctx.Err() == nil {
				h.s.Logger.Warn("web: last change", "err", err)
			}
			continue
		}
		if n == last {
			continue
		}
		last = n
		h.broadcast(ctx)
	}
}

// broadcast counts each watched meeting once and sends the counts to its pages.
func (h *hub) broadcast(ctx context.Context) {
	h.mu.Lock()
	ids := make([]int64, 0, len(h.subs))
	for id := range h.subs {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	for _, id := range ids {
		msg, err := h.s.countsJSON(ctx, id)
		if err != nil {
			h.s.Logger.Warn("web: counts", "meeting", id, "err", err)
			continue
		}
		h.mu.Lock()
		for ch := range h.subs[id] {
			select { // keep only the newest counts for a slow page
			case <-ch:
			default:
			}
			ch <- msg
		}
		h.mu.Unlock()
	}
}

// liveCounts is what an update carries: the totals, by category and by unit
// in the order the page shows them.
type liveCounts struct {
	Total convene.Counts   `json:"total"`
	Cats  []convene.Counts `json:"cat"`
	Units []convene.Counts `json:"unit"`
}

func (s *Server) countsJSON(ctx context.Context, meetingID int64) ([]byte, error) {
	st, err := s.Invitations.MeetingStats(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	lc := liveCounts{Total: st.Total}
	for _, g := range st.ByCategory {
		lc.Cats = append(lc.Cats, g.Counts)
	}
	for _, g := range st.ByUnit {
		lc.Units = append(lc.Units, g.Counts)
	}
	return json.Marshal(lc)
}

// events is the server-sent event stream of a meeting's counts: "counts"
// events with liveCounts, first at once, then on every change.
func (s *Server) events(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	ch, cancel := s.hub.subscribe(m.ID)
	defer cancel()
	first, err := s.countsJSON(r.Context(), m.ID)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	send := func(msg []byte) bool {
		if _, err := w.Write(append(append([]byte("event: counts\ndata: "), msg...), '\n', '\n')); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(first) {
		return
	}
	keepalive := time.NewTicker(20 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case msg := <-ch:
			if !send(msg) {
				return
			}
		case <-keepalive.C:
			if _, err := w.Write([]byte(": keepalive\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

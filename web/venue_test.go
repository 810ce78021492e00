package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// venueCode is the venue screen's code endpoint's answer, the PNG decoded
// (the test's QR "PNG" carries the link).
type venueCode struct {
	Mode, Link string
	Refresh    int64
}

func (e *env) venueCode(t *testing.T, role string) (venueCode, int) {
	t.Helper()
	resp := e.do(t, role, "GET", "/m/"+e.m.Code+"/venue/code", nil, nil)
	if resp.StatusCode != http.StatusOK {
		return venueCode{}, resp.StatusCode
	}
	var c struct {
		Mode    string `json:"mode"`
		QR      string `json:"qr"`
		Refresh int64  `json:"refresh_ms"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	b64, ok := strings.CutPrefix(c.QR, "data:image/png;base64,")
	png, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil {
		t.Fatalf("qr %q", c.QR)
	}
	return venueCode{Mode: c.Mode, Link: strings.TrimPrefix(string(png), "\x89PNG"), Refresh: c.Refresh}, resp.StatusCode
}

// TestVenueCode: the venue screen's code endpoint answers staff,
// organizers and admins only; the organizer (not staff) switches a meeting
// to rotating codes, after which the endpoint gives a new code every 30 s
// and says when to fetch the next.
func TestVenueCode(t *testing.T) {
	e := newEnv(t)
	t.Run("Authorization", func(t *testing.T) {
		for role, want := range map[string]int{"stranger": 401, "expired": 401, "delegate": 403, "staff": 200, "organizer": 200, "admin": 200} {
			if _, got := e.venueCode(t, role); got != want {
				t.Errorf("code as %s: %d, want %d", role, got, want)
			}
		}
	})
	t.Run("StaticByDefault", func(t *testing.T) {
		c, _ := e.venueCode(t, "staff")
		if c.Mode != "static" || c.Link != "https://t.me/x?start=ci-1" || c.Refresh != 0 {
			t.Fatalf("%+v", c)
		}
		if body := bodyOf(e.do(t, "organizer", "GET", "/m/"+e.m.Code, nil, nil)); !strings.Contains(body, `value="static" checked`) {
			t.Fatal("the meeting page shows no check-in mode")
		}
	})
	t.Run("OnlyOrganizerSwitches", func(t *testing.T) {
		body, hdr := form("mode", "rotating")
		if resp := e.do(t, "staff", "POST", "/m/"+e.m.Code+"/venue/mode", body, hdr); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("staff switching: %d", resp.StatusCode)
		}
		if c, _ := e.venueCode(t, "staff"); c.Mode != "static" {
			t.Fatal("staff switched the mode")
		}
		body, hdr = form("mode", "sometimes")
		if resp := e.do(t, "organizer", "POST", "/m/"+e.m.Code+"/venue/mode", body, hdr); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad mode: %d", resp.StatusCode)
		}
		body, hdr = form("mode", "rotating")
		if resp := e.do(t, "organizer", "POST", "/m/"+e.m.Code+"/venue/mode", body, hdr); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("organizer switching: %d", resp.StatusCode)
		}
	})
	t.Run("RotatesEvery30s", func(t *testing.T) {
		e.clock.Set(time.Unix(1711587600+10, 0)) // 10 s into a window
		c1, _ := e.venueCode(t, "staff")
		if c1.Mode != "rotating" || !strings.Contains(c1.Link, "ci-") || c1.Refresh < 20000 || c1.Refresh > 20500 {
			t.Fatalf("%+v", c1)
		}
		e.clock.Set(time.Unix(1711587600+25, 0))
		if c, _ := e.venueCode(t, "staff"); c.Link != c1.Link {
			t.Fatalf("code changed within its window: %q, %q", c1.Link, c.Link)
		}
		e.clock.Set(time.Unix(1711587600+31, 0))
		if c, _ := e.venueCode(t, "staff"); c.Link == c1.Link {
			t.Fatal("code did not change in the next window")
		}
		page := bodyOf(e.do(t, "staff", "GET", "/m/"+e.m.Code+"/venue", nil, nil))
		if !strings.Contains(page, `data-mode="rotating"`) || !strings.Contains(page, `src="data:image/png;base64,`) {
			t.Fatalf("venue page: %s", page)
		}
	})
}

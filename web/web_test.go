package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/storage"
	"github.com/convene/convene/web"
)

// clock is a settable time shared by storage and the desk.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time   { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)  { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func mustTime(s string) time.Time { t, err := time.Parse(time.RFC3339, s); must(err); return t }
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// env is a desk on a real SQLite database with one meeting and a signed-in
// browser (cookie) per role.
type env struct {
	db      *storage.DB
	clock   *clock
	srv     *web.Server
	ts      *httptest.Server
	m       *convene.Meeting
	webs    *storage.WebService
	invs    *storage.InvitationService
	people  *storage.PersonService
	cookies map[string]string // role → session cookie value
	ids     map[string]int64  // full name → invitation id
	actions *fakeActions
	checkin *fakeCheckin
}

// fakeCheckin keeps check-in modes and makes a code per 30 s window.
type fakeCheckin struct {
	mu    sync.Mutex
	modes map[int64]string
	now   func() time.Time
}

func (f *fakeCheckin) CheckinMode(ctx context.Context, m *convene.Meeting) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.modes[m.ID] == "" {
		return "static", nil
	}
	return f.modes[m.ID], nil
}

func (f *fakeCheckin) SetCheckinMode(ctx context.Context, m *convene.Meeting, mode, actor string) error {
	if mode != "static" && mode != "rotating" {
		return convene.Errorf(convene.EINVALID, "mode %q", mode)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.modes[m.ID] = mode
	return nil
}

func (f *fakeCheckin) RotatingCheckinLink(ctx context.Context, m *convene.Meeting) (string, time.Time, error) {
	w := f.now().Unix() / 30
	return fmt.Sprintf("https://t.me/x?start=ci-%d-%d-mac", m.ID, w), time.Unix((w+1)*30, 0), nil
}

// fakeActions records the actions the desk asks for.
type fakeActions struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeActions) record(s string) (int, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
	return 3, 1, nil
}
func (f *fakeActions) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.calls) }
func (f *fakeActions) ParseAudience(meetingID int64, a string) (convene.InvitationFilter, error) {
	return bot.ParseAudience(meetingID, a)
}
func (f *fakeActions) ReminderAudience(meetingID int64, a string) (convene.InvitationFilter, error) {
	return bot.ReminderAudience(meetingID, a)
}
func (f *fakeActions) Invite(ctx context.Context, code, actor string, notify int64) (int, int, error) {
	return f.record("invite " + code)
}
func (f *fakeActions) Remind(ctx context.Context, code, audience, batch, actor string, notify int64) (int, int, error) {
	return f.record("remind " + code + " " + audience + " " + batch)
}
func (f *fakeActions) Broadcast(ctx context.Context, fl convene.InvitationFilter, text, batch, actor string, notify int64) (int, int, error) {
	return f.record("broadcast " + text + " " + batch)
}
func (f *fakeActions) OpenFeedback(ctx context.Context, code, actor string) (int, int, error) {
	return f.record("feedback " + code)
}
func (f *fakeActions) CloseFeedback(ctx context.Context, code, actor string) error {
	_, _, err := f.record("feedback-close " + code)
	return err
}

var roles = []string{"stranger", "delegate", "staff", "organizer", "admin", "expired"}

func testPlan() *convene.Plan {
	return &convene.Plan{Meetings: []convene.PlanMeeting{{
		Meeting: convene.Meeting{
			Code: "chi-bo-01", Title: `Hội nghị "sinh hoạt chi bộ thường kỳ" mẫu`, Kind: convene.KindRegular,
			Host: "Chi bộ 01", Timezone: "Asia/Ho_Chi_Minh",
			StartsAt: mustTime("2024-03-28T01:00:00Z"), EndsAt: mustTime("2024-03-28T04:30:00Z"),
			Venue: "Hội trường", Address: "390 Hoàng Văn Thụ", RSVPDeadline: mustTime("2024-03-26T10:00:00Z"),
		},
		Categories: []convene.Category{
			{Code: "thanh-uy", Name: "Đại diện Thường trực Thành ủy"},
			{Code: "dang-vien", Name: "Đảng viên chi bộ"},
		},
	}}}
}

func testRoster() []convene.RosterEntry {
	return []convene.RosterEntry{
		{Row: 2, FullName: "Nguyễn Văn An", Unit: "Văn phòng", Category: "dang-vien", Phone: "+84912345678", Role: convene.RoleOrganizer},
		{Row: 3, FullName: "Trần Thị Bình", Unit: "Văn phòng", Category: "dang-vien", Phone: "+84912345679", Role: convene.RoleStaff},
		{Row: 4, FullName: "Lê Thị Thu Hà", Unit: "Chi bộ 01", Category: "dang-vien", Phone: "+84912345670"},
		{Row: 5, FullName: "Phạm Thu Dung", Unit: "Thành ủy", Category: "thanh-uy"},
		{Row: 6, FullName: "Hoàng Thanh Hải", Unit: "Chi bộ 01", Category: "dang-vien"},
	}
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: mustTime("2024-03-28T00:30:00Z")} // 07:30 in Hà Nội, before the start
	db := storage.NewDB(filepath.Join(t.TempDir(), "test.db"))
	db.Now = c.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ps := storage.NewPlanService(db)
	if _, err := ps.ApplyPlan(ctx, testPlan()); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.ImportRoster(ctx, "chi-bo-01", testRoster()); err != nil {
		t.Fatal(err)
	}
	texts, err := bot.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{actions: &fakeActions{}, checkin: &fakeCheckin{modes: map[int64]string{}, now: c.Now}, db: db, clock: c, webs: storage.NewWebService(db), invs: storage.NewInvitationService(db),
		people: storage.NewPersonService(db), cookies: map[string]string{}, ids: map[string]int64{}}
	e.m, err = storage.NewMeetingService(db).FindMeetingByCode(ctx, "chi-bo-01")
	if err != nil {
		t.Fatal(err)
	}
	invs, _, err := e.invs.FindInvitees(ctx, convene.InvitationFilter{MeetingID: e.m.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range invs {
		e.ids[v.Person.FullName] = v.ID
	}
	e.srv, err = web.New(web.Config{
		Meetings: storage.NewMeetingService(db), People: e.people, Invitations: e.invs,
		Feedback: storage.NewFeedbackService(db), Plans: ps, Web: e.webs, Texts: texts, Units: storage.NewUnitService(db),
		IsAdmin:     func(ch, uid string) bool { return ch == "telegram" && uid == "900" },
		Now:         c.Now, // live pages poll every 300 ms, as in production
		CheckinLink: func(ctx context.Context, m *convene.Meeting) (string, error) { return "https://t.me/x?start=ci-1", nil },
		QR:          func(text string, _ int) ([]byte, error) { return []byte("\x89PNG" + text), nil },
		Checkin:     e.checkin,
		Report: func(ctx context.Context, code, format, lang string) ([]byte, string, error) {
			return []byte("report"), code + "." + format, nil
		},
		ReadRoster: plan.ReadRoster,
		Actions:    e.actions,
		ApplyPlan: func(ctx context.Context, r io.Reader) (*convene.ApplyResult, error) {
			p, err := plan.Parse(r)
			if err != nil {
				return nil, err
			}
			return ps.ApplyPlan(ctx, p)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(func() { e.srv.Close(); e.ts.Close() })

	link := func(uid, name string) int64 {
		a, err := e.people.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: uid, ChatID: uid, Reachable: true})
		if err != nil {
			t.Fatal(err)
		}
		if name != "" {
			if err := e.people.LinkAccount(ctx, a.ID, e.personID(t, name)); err != nil {
				t.Fatal(err)
			}
		}
		return a.ID
	}
	accs := map[string]int64{
		"organizer": link("100", "Nguyễn Văn An"), "staff": link("200", "Trần Thị Bình"),
		"delegate": link("300", "Lê Thị Thu Hà"), "admin": link("900", ""),
	}
	for role, id := range accs {
		e.cookies[role] = e.session(t, id)
	}
	// A session of the organizer that started 13 hours ago has expired.
	now := c.Now()
	c.Set(now.Add(-13 * time.Hour))
	e.cookies["expired"] = e.session(t, accs["organizer"])
	c.Set(now)
	return e
}

func (e *env) personID(t testing.TB, name string) int64 {
	inv, err := e.invs.FindInvitationByID(context.Background(), e.ids[name])
	if err != nil {
		t.Fatal(err)
	}
	return inv.PersonID
}

// session signs the account in through a login link and returns the cookie value.
func (e *env) session(t testing.TB, accountID int64) string {
	tok, err := e.webs.CreateLoginLink(context.Background(), accountID, convene.LoginLinkTTL)
	if err != nil {
		t.Fatal(err)
	}
	resp := e.do(t, "", "POST", "/login/"+tok, nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "convene" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie not HttpOnly and SameSite=Lax: %+v", c)
			}
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// do sends a request as role (its cookie) and returns the response with the body read.
func (e *env) do(t testing.TB, role, method, path string, body io.Reader, hdr http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if c := e.cookies[role]; c != "" {
		req.AddCookie(&http.Cookie{Name: "convene", Value: c})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func bodyOf(resp *http.Response) string { b, _ := io.ReadAll(resp.Body); return string(b) }

func form(kv ...string) (io.Reader, http.Header) {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
}

func csvUpload(t testing.TB, name, content string) (io.Reader, http.Header) {
	return fileUpload(t, "roster", name, content)
}

// planYAML is a one-meeting plan file.
func planYAML(code, startsAt string) string {
	return "timezone: Asia/Ho_Chi_Minh\nmeetings:\n  - code: " + code + "\n    title: Hội nghị thử\n    starts_at: " + startsAt +
		"\n    categories:\n      - code: dang-vien\n        name: Đảng viên\n"
}

func fileUpload(t testing.TB, field, name, content string) (io.Reader, http.Header) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return &buf, http.Header{"Content-Type": {mw.FormDataContentType()}}
}

// TestAuthorization checks every page and action of web.Routes against
// every role: who may pass, and that the others get 401 (no valid session)
// or 403 (a role too small) and change nothing.
func TestAuthorization(t *testing.T) {
	e := newEnv(t)
	rank := map[string]int{"stranger": 0, "expired": 0, "delegate": 1, "staff": 2, "organizer": 3, "admin": 4}
	need := map[string]int{"staff": 2, "organizer": 3}
	routes := web.Routes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes", len(routes))
	}
	for route, min := range routes {
		for _, role := range roles {
			t.Run(strings.ReplaceAll(route, "/", "_")+"/"+role, func(t *testing.T) {
				method, path, _ := strings.Cut(route, " ")
				id := e.ids["Hoàng Thanh Hải"]
				path = strings.NewReplacer("{code}", e.m.Code, "{id}", fmt.Sprint(id), "{file}", "report.csv").Replace(path)
				var body io.Reader
				var hdr http.Header
				switch {
				case strings.HasSuffix(path, "/roster"):
					body, hdr = csvUpload(t, "r.csv", "full_name,category\nNgô Văn Mới "+role+",dang-vien\n")
				case path == "/plan":
					body, hdr = fileUpload(t, "plan", "plan.yaml", planYAML("web-"+role, "2024-05-02T08:00"))
				case strings.HasSuffix(path, "/venue/mode"):
					body, hdr = form("mode", "static")
				case strings.Contains(path, "/actions/"):
					body, hdr = form("kind", "remind", "audience", "pending", "batch", role)
				case method == "POST":
					body, hdr = form("action", "present")
				}
				calls := e.actions.count()
				var resp *http.Response
				if strings.HasSuffix(path, "/events") {
					resp = e.stream(t, role, path)
				} else {
					resp = e.do(t, role, method, path, body, hdr)
				}
				allowed := rank[role] >= need[min]
				switch {
				case allowed && resp.StatusCode >= 400:
					t.Errorf("%s as %s: %d, want success: %s", route, role, resp.StatusCode, bodyOf(resp))
				case !allowed && rank[role] == 0 && resp.StatusCode != http.StatusUnauthorized:
					t.Errorf("%s as %s: %d, want 401", route, role, resp.StatusCode)
				case !allowed && rank[role] > 0 && resp.StatusCode != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403", route, role, resp.StatusCode)
				}
				if n := e.actions.count(); !allowed && n != calls {
					t.Errorf("refused %s as %s ran an action", route, role)
				}
				if !allowed && method == "POST" && !strings.Contains(path, "/actions/") {
					inv, _ := e.invs.FindInvitationByID(context.Background(), id)
					n, _, _ := e.invs.FindInvitees(context.Background(), convene.InvitationFilter{MeetingID: e.m.ID, Name: "Ngô Văn Mới " + role})
					_, planned := storage.NewMeetingService(e.db).FindMeetingByCode(context.Background(), "web-"+role)
					if (strings.HasSuffix(path, "/roster") && len(n) > 0) || (!strings.HasSuffix(path, "/roster") && !inv.CheckedInAt.IsZero()) || planned == nil {
						t.Errorf("refused %s as %s changed something", route, role)
					}
				}
				// Undo allowed marks so each role starts from the same state.
				if allowed && strings.Contains(path, "/desk/") {
					e.invs.UndoCheckIn(context.Background(), id, "test")
				}
			})
		}
	}
}

// stream opens an event stream and returns once its headers came.
func (e *env) stream(t testing.TB, role, path string) *http.Response {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+path, nil)
	if c := e.cookies[role]; c != "" {
		req.AddCookie(&http.Cookie{Name: "convene", Value: c})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t)
	id := e.ids["Hoàng Thanh Hải"]
	for name, hdr := range map[string]http.Header{
		"SecFetchSite": {"Sec-Fetch-Site": {"cross-site"}},
		"Origin":       {"Origin": {"https://evil.example"}},
	} {
		t.Run(name, func(t *testing.T) {
			body, h := form("action", "present")
			for k, v := range hdr {
				h[k] = v
			}
			resp := e.do(t, "organizer", "POST", fmt.Sprintf("/m/%s/desk/%d", e.m.Code, id), body, h)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
			}
			inv, err := e.invs.FindInvitationByID(context.Background(), id)
			if err != nil || !inv.CheckedInAt.IsZero() {
				t.Errorf("cross-site POST checked in: %v %v", inv.CheckedInAt, err)
			}
		})
	}
	t.Run("SameOriginAllowed", func(t *testing.T) {
		body, h := form("action", "present")
		h.Set("Sec-Fetch-Site", "same-origin")
		if resp := e.do(t, "staff", "POST", fmt.Sprintf("/m/%s/desk/%d", e.m.Code, id), body, h); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin POST: %d", resp.StatusCode)
		}
	})
}

func TestLoginLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc, _ := e.people.FindAccount(ctx, "telegram", "100")
	t.Run("UsedTwiceRefused", func(t *testing.T) {
		tok, err := e.webs.CreateLoginLink(ctx, acc.ID, convene.LoginLinkTTL)
		if err != nil {
			t.Fatal(err)
		}
		// A GET (a chat app's link preview) does not use the link.
		if resp := e.do(t, "", "GET", "/login/"+tok, nil, nil); resp.StatusCode != 200 || !strings.Contains(bodyOf(resp), "Đăng nhập") {
			t.Fatalf("login page: %d", resp.StatusCode)
		}
		if resp := e.do(t, "", "POST", "/login/"+tok, nil, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: %d", resp.StatusCode)
		}
		resp := e.do(t, "", "POST", "/login/"+tok, nil, nil)
		if body := bodyOf(resp); resp.StatusCode != http.StatusGone || !strings.Contains(body, "đã được sử dụng") {
			t.Errorf("second use: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("ExpiredRefused", func(t *testing.T) {
		tok, _ := e.webs.CreateLoginLink(ctx, acc.ID, convene.LoginLinkTTL)
		now := e.clock.Now()
		e.clock.Set(now.Add(11 * time.Minute))
		defer e.clock.Set(now)
		resp := e.do(t, "", "POST", "/login/"+tok, nil, nil)
		if body := bodyOf(resp); resp.StatusCode != http.StatusGone || !strings.Contains(body, "hết hạn") {
			t.Errorf("expired: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("SecretsNotStored", func(t *testing.T) {
		tok, _ := e.webs.CreateLoginLink(ctx, acc.ID, convene.LoginLinkTTL)
		var files []byte
		for _, p := range []string{e.db.DSN, e.db.DSN + "-wal"} {
			b, _ := os.ReadFile(p)
			files = append(files, b...)
		}
		for what, secret := range map[string]string{"login token": tok, "session id": e.cookies["organizer"]} {
			if bytes.Contains(files, []byte(secret)) {
				t.Errorf("%s is in the database file", what)
			}
		}
	})
	t.Run("Logout", func(t *testing.T) {
		c := e.session(t, acc.ID)
		e.cookies["leaving"] = c
		if resp := e.do(t, "leaving", "POST", "/logout", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if resp := e.do(t, "leaving", "GET", "/", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("after logout: %d", resp.StatusCode)
		}
	})
}

func TestMeetingPage(t *testing.T) {
	e := newEnv(t)
	t.Run("AccentInsensitiveSearch", func(t *testing.T) {
		body := bodyOf(e.do(t, "organizer", "GET", "/m/chi-bo-01?q=thu+ha", nil, nil))
		if !strings.Contains(body, "Lê Thị Thu Hà") || strings.Contains(body, "Phạm Thu Dung") || strings.Contains(body, "Hoàng Thanh Hải") {
			t.Errorf("search thu ha: %s", body)
		}
	})
	t.Run("FilterByCategory", func(t *testing.T) {
		body := bodyOf(e.do(t, "organizer", "GET", "/m/chi-bo-01?cat=thanh-uy", nil, nil))
		if !strings.Contains(body, "Phạm Thu Dung") || strings.Contains(body, "Lê Thị Thu Hà</a>") {
			t.Errorf("filter thanh-uy: %s", body)
		}
	})
	t.Run("Poster", func(t *testing.T) {
		resp := e.do(t, "organizer", "GET", "/m/chi-bo-01/files/poster.png", nil, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("poster: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp := e.do(t, "organizer", "GET", "/m/chi-bo-01/files/secrets.txt", nil, nil); resp.StatusCode != 404 {
			t.Errorf("unknown file: %d", resp.StatusCode)
		}
	})
	t.Run("PosterPDF", func(t *testing.T) {
		// The meeting page offers the A4 poster; it downloads as a PDF that
		// reads back with the meeting, the heading and the check-in code.
		if body := bodyOf(e.do(t, "organizer", "GET", "/m/chi-bo-01", nil, nil)); !strings.Contains(body, `href="/m/chi-bo-01/files/poster.pdf"`) {
			t.Errorf("the meeting page does not offer the PDF poster")
		}
		resp := e.do(t, "organizer", "GET", "/m/chi-bo-01/files/poster.pdf", nil, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "chi-bo-01-checkin-poster.pdf") {
			t.Fatalf("poster.pdf: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.HasPrefix(data, []byte("%PDF")) {
			t.Fatalf("poster.pdf is not a PDF: %.20q", data)
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not installed (apt-get install poppler-utils)")
		}
		path := filepath.Join(t.TempDir(), "poster.pdf")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"QUÉT MÃ ĐỂ ĐIỂM DANH", e.m.Title, "Mã điểm danh: ci-1"} {
			if !strings.Contains(text, want) {
				t.Errorf("poster lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("EnglishByQuery", func(t *testing.T) {
		body := bodyOf(e.do(t, "organizer", "GET", "/m/chi-bo-01?lang=en", nil, nil))
		if !strings.Contains(body, "By category") {
			t.Errorf("no English page")
		}
	})
	t.Run("Person", func(t *testing.T) {
		acc, _ := e.people.FindAccount(context.Background(), "telegram", "300")
		if _, err := storage.NewOutboxService(e.db).Enqueue(context.Background(), []*convene.OutboxMessage{{AccountID: acc.ID, Channel: "telegram",
			ChatID: "300", Content: convene.Content{Text: "Nhắc lịch hội nghị"}, Key: "t1"}}); err != nil {
			t.Fatal(err)
		}
		body := bodyOf(e.do(t, "organizer", "GET", fmt.Sprintf("/m/chi-bo-01/p/%d", e.ids["Lê Thị Thu Hà"]), nil, nil))
		if !strings.Contains(body, "84912345670") || !strings.Contains(body, "telegram · queued") || !strings.Contains(body, "Nhắc lịch hội nghị") {
			t.Errorf("person page lacks the phone: %s", body)
		}
	})
}

func TestDesk(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.ids["Hoàng Thanh Hải"]
	mark := func(action string) *convene.Invitee {
		body, h := form("action", action)
		if resp := e.do(t, "staff", "POST", fmt.Sprintf("/m/chi-bo-01/desk/%d", id), body, h); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", action, resp.StatusCode, bodyOf(resp))
		}
		inv, err := e.invs.FindInvitationByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	t.Run("PresentBeforeStart", func(t *testing.T) {
		inv := mark("present")
		if inv.Attendance != convene.AttendancePresent || inv.CheckinMethod != convene.CheckinManual || !inv.CheckedInAt.Equal(e.clock.Now()) {
			t.Errorf("got %s %s %v", inv.Attendance, inv.CheckinMethod, inv.CheckedInAt)
		}
	})
	t.Run("Undo", func(t *testing.T) {
		if inv := mark("undo"); inv.Attendance != "" || !inv.CheckedInAt.IsZero() {
			t.Errorf("after undo: %q %v", inv.Attendance, inv.CheckedInAt)
		}
	})
	t.Run("LateAfterStartPlusFifteen", func(t *testing.T) {
		now := e.clock.Now()
		e.clock.Set(e.m.StartsAt.Add(16 * time.Minute))
		defer e.clock.Set(now)
		inv := mark("present")
		if inv.Attendance != convene.AttendanceLate {
			t.Errorf("got %s, want late", inv.Attendance)
		}
		mark("undo")
	})
	t.Run("ExcusedAndUndo", func(t *testing.T) {
		if inv := mark("excused"); inv.Attendance != convene.AttendanceExcused {
			t.Errorf("got %q", inv.Attendance)
		}
		if inv := mark("undo"); inv.Attendance != "" {
			t.Errorf("after undo: %q", inv.Attendance)
		}
	})
	t.Run("ListFragmentShowsMark", func(t *testing.T) {
		body, h := form("action", "present")
		h.Set("X-Desk", "list")
		resp := e.do(t, "staff", "POST", fmt.Sprintf("/m/chi-bo-01/desk/%d?q=hai", id), body, h)
		if b := bodyOf(resp); resp.StatusCode != 200 || !strings.Contains(b, "Hoàng Thanh Hải") || !strings.Contains(b, "Hoàn tác") {
			t.Errorf("fragment: %d %s", resp.StatusCode, b)
		}
	})
}

func TestUploadBadRowsStoresNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, before, _ := e.invs.FindInvitees(ctx, convene.InvitationFilter{MeetingID: e.m.ID})
	for name, c := range map[string]struct{ csv, row string }{
		"MissingName":     {"full_name,category,phone\nNgô Văn Mới,dang-vien,+84911111111\n,dang-vien,\n", "<td>3</td>"},
		"UnknownCategory": {"full_name,category,phone\nNgô Văn Mới,dang-vien,+84911111111\nĐỗ Thị Sai,khong-co,+84911111112\n", "<td>3</td>"},
	} {
		t.Run(name, func(t *testing.T) {
			body, h := csvUpload(t, "roster.csv", c.csv)
			resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/roster", body, h)
			b := bodyOf(resp)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, c.row) {
				t.Errorf("bad roster: %d %s", resp.StatusCode, b)
			}
			_, after, _ := e.invs.FindInvitees(ctx, convene.InvitationFilter{MeetingID: e.m.ID})
			if after != before {
				t.Errorf("invitees %d → %d: a bad roster stored rows", before, after)
			}
			if _, err := e.people.FindPersonByPhone(ctx, "+84911111111"); convene.ErrorCode(err) != convene.ENOTFOUND {
				t.Errorf("good row of a bad roster stored: %v", err)
			}
		})
	}
	t.Run("GoodRosterImports", func(t *testing.T) {
		body, h := csvUpload(t, "roster.csv", "full_name,category\nNgô Văn Mới,dang-vien\n")
		if resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/roster", body, h); resp.StatusCode != 200 {
			t.Errorf("good roster: %d %s", resp.StatusCode, bodyOf(resp))
		}
	})
}

// TestLiveCounts: a check-in made through the storage service (as chat
// makes it, from another goroutine) reaches an open event stream within 1 s.
func TestLiveCounts(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/m/chi-bo-01/events", nil)
	req.AddCookie(&http.Cookie{Name: "convene", Value: e.cookies["organizer"]})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
		close(events)
	}()
	if first := <-events; !strings.Contains(first, `"present":0`) {
		t.Fatalf("first event %s", first)
	}
	start := time.Now()
	if _, err := e.invs.CheckIn(context.Background(), e.ids["Lê Thị Thu Hà"], convene.AttendancePresent, time.Time{}, convene.CheckinQR, "telegram:300"); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if !strings.Contains(ev, `"total":{"invited":5`) || !strings.Contains(ev, `"present":1`) {
			t.Errorf("event %s", ev)
		}
		t.Logf("check-in reached the stream after %v", time.Since(start))
	case <-time.After(time.Second):
		t.Error("no event within 1 s of the check-in")
	}
}

func TestActions(t *testing.T) {
	e := newEnv(t)
	t.Run("PreviewShowsCountAndNames", func(t *testing.T) {
		body, h := form("kind", "broadcast", "audience", "pending", "text", "Hội trường đổi sang tầng 2")
		resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/preview", body, h)
		b := bodyOf(resp)
		if resp.StatusCode != 200 || !strings.Contains(b, "Sẽ gửi tới 5 đại biểu") || !strings.Contains(b, "Lê Thị Thu Hà") || !strings.Contains(b, `name="batch" value="`) {
			t.Errorf("preview: %d %s", resp.StatusCode, b)
		}
		if len(e.actions.calls) != 0 {
			t.Errorf("a preview sent: %v", e.actions.calls)
		}
	})
	t.Run("ConfirmRuns", func(t *testing.T) {
		body, h := form("kind", "broadcast", "audience", "pending", "text", "Hội trường đổi", "batch", "abc")
		resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/run", body, h)
		if b := bodyOf(resp); resp.StatusCode != 200 || !strings.Contains(b, "Hệ thống đang gửi 3") {
			t.Errorf("run: %d %s", resp.StatusCode, b)
		}
		if len(e.actions.calls) != 1 || e.actions.calls[0] != "broadcast Hội trường đổi bc:web:abc" {
			t.Errorf("calls %v", e.actions.calls)
		}
	})
	t.Run("CloseFeedbackPreviewThenConfirm", func(t *testing.T) {
		body, h := form("kind", "feedback-close")
		if resp := e.do(t, "staff", "POST", "/m/chi-bo-01/actions/run", body, h); resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff closing feedback: %d", resp.StatusCode)
		}
		calls := e.actions.count()
		body, h = form("kind", "feedback-close")
		resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/preview", body, h)
		if b := bodyOf(resp); resp.StatusCode != 200 || !strings.Contains(b, "không thể gửi thêm ý kiến") || !strings.Contains(b, `name="kind" value="feedback-close"`) {
			t.Errorf("preview: %d %s", resp.StatusCode, b)
		}
		if e.actions.count() != calls {
			t.Fatal("the preview closed feedback")
		}
		body, h = form("kind", "feedback-close", "batch", "x")
		resp = e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/run", body, h)
		if b := bodyOf(resp); resp.StatusCode != 200 || !strings.Contains(b, "Đã kết thúc lấy ý kiến") {
			t.Errorf("run: %d %s", resp.StatusCode, b)
		}
		if n := e.actions.count(); n != calls+1 || e.actions.calls[n-1] != "feedback-close chi-bo-01" {
			t.Errorf("calls %v", e.actions.calls)
		}
	})
	t.Run("ReminderCarriesBatch", func(t *testing.T) {
		body, h := form("kind", "remind", "audience", "pending")
		resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/preview", body, h)
		batch := regexp.MustCompile(`name="batch" value="([0-9a-f]{24})"`).FindStringSubmatch(bodyOf(resp))
		if batch == nil {
			t.Fatal("the reminder's confirmation carries no batch key")
		}
		body, h = form("kind", "remind", "audience", "pending")
		if resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/run", body, h); resp.StatusCode != 400 {
			t.Errorf("reminder without batch: %d", resp.StatusCode)
		}
		body, h = form("kind", "remind", "audience", "pending", "batch", batch[1])
		if resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/run", body, h); resp.StatusCode != 200 {
			t.Errorf("reminder: %d", resp.StatusCode)
		}
		if n := e.actions.count(); e.actions.calls[n-1] != "remind chi-bo-01 pending web:"+batch[1] {
			t.Errorf("calls %v", e.actions.calls)
		}
	})
	t.Run("BroadcastNeedsText", func(t *testing.T) {
		body, h := form("kind", "broadcast", "audience", "all", "batch", "x")
		if resp := e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/run", body, h); resp.StatusCode != 400 {
			t.Errorf("empty broadcast: %d", resp.StatusCode)
		}
	})
	// A reminder to "all" leaves out who declined (bot.ReminderAudience); a
	// broadcast to "all" still reaches everyone.
	t.Run("ReminderPreviewLeavesOutDeclined", func(t *testing.T) {
		now := e.clock.Now()
		e.clock.Set(e.m.RSVPDeadline.Add(-time.Hour)) // answers are taken until the deadline
		defer e.clock.Set(now)
		if _, err := e.invs.SetRSVP(context.Background(), e.ids["Lê Thị Thu Hà"], convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "Đi công tác", Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		// A reminder is of an invitation the person has: issue them all.
		var ids []int64
		for _, id := range e.ids {
			ids = append(ids, id)
		}
		if err := e.invs.IssueInvitations(context.Background(), e.m.ID, ids, nil); err != nil {
			t.Fatal(err)
		}
		body, h := form("kind", "remind", "audience", "all")
		b := bodyOf(e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/preview", body, h))
		if !strings.Contains(b, "Sẽ gửi tới 4 đại biểu") || strings.Contains(b, "Lê Thị Thu Hà") {
			t.Errorf("reminder preview to all: %s", b)
		}
		body, h = form("kind", "broadcast", "audience", "all", "text", "Hội trường đổi")
		if b := bodyOf(e.do(t, "organizer", "POST", "/m/chi-bo-01/actions/preview", body, h)); !strings.Contains(b, "Sẽ gửi tới 5 đại biểu") {
			t.Errorf("broadcast preview to all: %s", b)
		}
	})
}

// TestMeetingPageUnits: the meeting page shows what each unit was asked to
// send and has sent, short units marked; without units, no such section.
func TestMeetingPageUnits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if body := bodyOf(e.do(t, "organizer", "GET", "/m/chi-bo-01", nil, nil)); strings.Contains(body, `id="units"`) {
		t.Fatal("a units section for a meeting without units")
	}
	p := testPlan()
	p.Meetings[0].Units = []convene.Unit{{Name: "Đảng bộ Trường THPT Lê Hồng Phong",
		Rep: convene.Representative{FullName: "Võ Minh Tâm", Title: "Bí thư", Phone: "+84913000111"}, Quotas: map[string]int{"dang-vien": 2},
		NominationDeadline: mustTime("2024-03-28T00:45:00Z")}} // the test's clock is at 00:30
	if _, err := storage.NewPlanService(e.db).ApplyPlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	us := storage.NewUnitService(e.db)
	units, err := us.FindUnits(ctx, e.m.ID)
	if err != nil || len(units) != 1 {
		t.Fatalf("units %v %v", units, err)
	}
	cats, _ := storage.NewMeetingService(e.db).FindCategories(ctx, e.m.ID)
	var dv int64
	for _, c := range cats {
		if c.Code == "dang-vien" {
			dv = c.ID
		}
	}
	if _, err := us.Nominate(ctx, units[0].ID, dv, convene.Nominee{FullName: "Đỗ Thị Lan", Title: "Đảng viên", Phone: "+84913000222"}, "test"); err != nil {
		t.Fatal(err)
	}
	body := bodyOf(e.do(t, "organizer", "GET", "/m/chi-bo-01", nil, nil))
	if !strings.Contains(body, `id="units"`) || !strings.Contains(body, "Đảng bộ Trường THPT Lê Hồng Phong") || !strings.Contains(body, "1/2 · chưa cử đủ") {
		t.Fatalf("units section missing or wrong:\n%s", body)
	}
}

// TestDeskShowsArrivals: a QR check-in made through chat shows at the top
// of the door desk's list, newest first, marked QR.
func TestDeskShowsArrivals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if body := bodyOf(e.do(t, "staff", "GET", "/m/chi-bo-01/desk/list", nil, nil)); strings.Contains(body, `id="desk-recent"`) {
		t.Fatal("arrivals shown before anyone arrived")
	}
	if _, err := e.invs.CheckIn(ctx, e.ids["Hoàng Thanh Hải"], convene.AttendancePresent, e.clock.Now(), convene.CheckinManual, "test"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(time.Minute))
	if _, err := e.invs.CheckIn(ctx, e.ids["Lê Thị Thu Hà"], convene.AttendancePresent, e.clock.Now(), convene.CheckinQR, "telegram:5"); err != nil {
		t.Fatal(err)
	}
	body := bodyOf(e.do(t, "staff", "GET", "/m/chi-bo-01/desk/list", nil, nil))
	i := strings.Index(body, `id="desk-recent"`)
	if i < 0 {
		t.Fatalf("no arrivals on the desk:\n%s", body)
	}
	recent := body[i : strings.Index(body[i:], "</p>")+i]
	ha, hai := strings.Index(recent, "Lê Thị Thu Hà 07:31 (QR)"), strings.Index(recent, "Hoàng Thanh Hải 07:30")
	if ha < 0 || hai < 0 || ha > hai {
		t.Fatalf("arrivals, newest first, the QR one marked: %q", recent)
	}
}

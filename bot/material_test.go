package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/web"
)

// exampleMaterials returns the example meeting's materials and their files' bytes.
func exampleMaterials(t *testing.T, h *harness) ([]*convene.Material, [][]byte) {
	t.Helper()
	mats, err := h.bot.Materials.FindMaterials(context.Background(), h.m.ID)
	if err != nil || len(mats) != 2 {
		t.Fatalf("example materials: %v (%d)", err, len(mats))
	}
	var files [][]byte
	for _, p := range []string{"tai-lieu/chuong-trinh-hoi-nghi.pdf", "tai-lieu/du-thao-bao-cao.docx"} {
		b, err := examples.FS.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	return mats, files
}

// matData is the callback data of a materials button (bot/material.go).
func matData(meeting int64, rest ...string) string {
	return strings.Join(append([]string{"mat", itoa(meeting)}, rest...), ":")
}

// document waits for a document sent to chat after the first before messages.
func (h *harness) document(chat int64, before int) telegramtest.Message {
	h.t.Helper()
	var got telegramtest.Message
	if !h.srv.WaitFor(wait, func() bool {
		ms := h.srv.Messages(chat)
		for _, m := range ms[min(before, len(ms)):] {
			if m.Document != nil {
				got = m
				return true
			}
		}
		return false
	}) {
		h.t.Fatalf("chat %d got no document; last %q", chat, lastText(h.srv.Messages(chat)))
	}
	return got
}

// TestMaterialsTelegram: the invitation's 📎 button lists the meeting's
// materials; choosing one sends it as a document, uploaded once: the next
// person gets it by file id; a file id Telegram no longer knows is
// recovered by uploading again; a stranger is refused; without materials
// the invitation has no button.
func TestMaterialsTelegram(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mats, files := exampleMaterials(t, h)
	ha, bao := h.user(101, "Hà"), h.user(102, "Bảo")
	h.link(ha, "Thu Hà")
	h.link(bao, "Quốc Bảo")
	h.issue()
	inv := h.invitation(ha)
	if !inv.HasButton(matData(h.m.ID)) || inv.Button(matData(h.m.ID)).Text != "📎 Tài liệu hội nghị" {
		t.Fatalf("invitation buttons %+v", inv.Buttons)
	}
	first := matData(h.m.ID, itoa(mats[0].ID))

	// choose presses data on msg in u's chat and returns the document sent.
	choose := func(u *telegramtest.User, msg int, data string) telegramtest.Message {
		t.Helper()
		before := len(h.srv.Messages(u.ID))
		h.press(u, msg, data)
		return h.document(u.ID, before)
	}
	list := func(u *telegramtest.User, msg int) telegramtest.Message {
		t.Helper()
		before := len(h.srv.Messages(u.ID))
		h.press(u, msg, matData(h.m.ID))
		return h.newContaining(u.ID, before, "📎 Tài liệu")
	}

	t.Run("ButtonListsMaterials", func(t *testing.T) {
		l := list(ha, inv.ID)
		for _, want := range []string{"Chương trình hội nghị", "chuong-trinh-hoi-nghi.pdf", "Dự thảo báo cáo", "du-thao-bao-cao.docx", "KB"} {
			if !strings.Contains(l.Text, want) {
				t.Fatalf("list lacks %q:\n%s", want, l.Text)
			}
		}
		if !l.HasButton(first) || !l.HasButton(matData(h.m.ID, itoa(mats[1].ID))) || !l.HasButton(matData(h.m.ID, "all")) {
			t.Fatalf("list buttons %+v", l.Buttons)
		}
	})
	t.Run("ChoiceSendsDocumentUploadedOnce", func(t *testing.T) {
		doc := choose(ha, inv.ID, first)
		if doc.Document.Name != "chuong-trinh-hoi-nghi.pdf" || !bytes.Equal(doc.Document.Data, files[0]) || doc.Document.ByID {
			t.Fatalf("document %+v", doc.Document.Name)
		}
		if !strings.Contains(doc.Text, "Chương trình hội nghị") {
			t.Fatalf("caption %q", doc.Text)
		}
		// Another invitee gets the same file by the id Telegram gave the upload.
		invB := h.invitation(bao)
		docB := choose(bao, invB.ID, first)
		if !docB.Document.ByID || !bytes.Equal(docB.Document.Data, files[0]) {
			t.Fatalf("second send: by id %v", docB.Document.ByID)
		}
		if st := h.srv.Files(); st.Uploads != 1 || st.Resends != 1 || st.Uploaded["chuong-trinh-hoi-nghi.pdf"] != 1 {
			t.Fatalf("files %+v: want one upload, one re-send", st)
		}
		if id, _ := h.bot.Materials.FileID(ctx, "telegram", "123456", mats[0].SHA256); id != doc.Document.FileID {
			t.Fatalf("cached id %q, Telegram gave %q", id, doc.Document.FileID)
		}
	})
	t.Run("StaleFileIDUploadedAgain", func(t *testing.T) {
		h.srv.ForgetFiles()
		doc := choose(ha, inv.ID, first)
		if doc.Document.ByID || !bytes.Equal(doc.Document.Data, files[0]) {
			t.Fatal("not uploaded again")
		}
		if st := h.srv.Files(); st.Refused != 1 || st.Uploads != 2 {
			t.Fatalf("files %+v: want the stale id refused once and a second upload", st)
		}
		if id, _ := h.bot.Materials.FileID(ctx, "telegram", "123456", mats[0].SHA256); id != doc.Document.FileID {
			t.Fatalf("cache not renewed: %q vs %q", id, doc.Document.FileID)
		}
	})
	t.Run("AllSendsEach", func(t *testing.T) {
		before := len(h.srv.Messages(bao.ID))
		h.press(bao, h.invitation(bao).ID, matData(h.m.ID, "all"))
		var docs []string
		h.srv.WaitFor(wait, func() bool {
			docs = nil
			for _, m := range h.srv.Messages(bao.ID)[before:] {
				if m.Document != nil {
					docs = append(docs, m.Document.Name)
				}
			}
			return len(docs) == 2
		})
		if strings.Join(docs, ",") != "chuong-trinh-hoi-nghi.pdf,du-thao-bao-cao.docx" {
			t.Fatalf("documents %v", docs)
		}
	})
	t.Run("Command", func(t *testing.T) {
		l := h.sendFor(ha, "/materials chi-bo-01", "📎 Tài liệu")
		if !l.HasButton(first) {
			t.Fatalf("/materials buttons %+v", l.Buttons)
		}
		if m := h.sendFor(ha, "/materials chi-bo-04", "chỉ gửi đến đại biểu được mời"); m.HasButton(first) {
			t.Fatal("materials of a meeting not invited to")
		}
	})
	t.Run("StrangerRefused", func(t *testing.T) {
		s := h.user(999, "Người lạ")
		h.send(s, "/start", 1)
		before := len(h.srv.Messages(s.ID))
		_, cb := s.Press(inv.ID, first) // the button of a forwarded invitation, or forged data
		if !h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) }) {
			t.Fatal("press not answered")
		}
		h.newContaining(s.ID, before, "chỉ gửi đến đại biểu được mời")
		h.settle()
		for _, m := range h.srv.Messages(s.ID) {
			if m.Document != nil {
				t.Fatal("a stranger got a document")
			}
		}
		if m := h.sendFor(s, "/materials", "liên kết"); m.Document != nil {
			t.Fatal("a stranger got a document")
		}
	})
	t.Run("NoMaterialsNoButton", func(t *testing.T) {
		p, err := plan.ParseFS(examples.FS, examples.PlanFile)
		if err != nil {
			t.Fatal(err)
		}
		p.Meetings[0].Materials = nil
		if _, err := h.bot.Plans.ApplyPlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		// Answering re-renders the invitation in place.
		attend := inv.Buttons[0][0].Data
		h.press(ha, inv.ID, attend)
		if !h.srv.WaitFor(wait, func() bool { return h.srv.Message(ha.ID, inv.ID).Edits > 0 }) {
			t.Fatal("invitation not edited")
		}
		if got := h.srv.Message(ha.ID, inv.ID); got.HasButton(matData(h.m.ID)) {
			t.Fatalf("a materials button without materials: %+v", got.Buttons)
		}
		// The old list's buttons now answer as stale, sending nothing.
		before := len(h.srv.Messages(ha.ID))
		h.press(ha, inv.ID, first)
		for _, m := range h.srv.Messages(ha.ID)[before:] {
			if m.Document != nil {
				t.Fatal("a removed material was sent")
			}
		}
	})
}

// TestMaterialsOutboxRowHoldsNoBytes: the queued document names the
// material and carries no bytes, and a restart between queueing and
// sending still delivers it (a new channel and dispatcher load the file).
func TestMaterialsOutboxRowHoldsNoBytes(t *testing.T) {
	h, ctx := newCore(t)
	mats, files := exampleMaterials(t, h)
	h.srv = telegramtest.NewServer(telegramtest.Options{Username: "hop_bot"})
	t.Cleanup(h.srv.Close)
	newChannel := func() *telegram.Channel {
		ch, err := telegram.New(ctx, telegram.Config{Token: h.srv.Token(), APIURL: h.srv.URL, PollTimeout: time.Second,
			Logger: h.bot.Logger, Files: h.bot.Materials})
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	// Before the "restart": updates are received and handled, nothing is sent.
	ch := newChannel()
	h.bot.AddChannel(ch)
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = ch.Receive(rctx, h.bot.Accept) }()
	go func() {
		defer wg.Done()
		cfg := h.inbox
		cfg.Poll, cfg.Backoff = 20*time.Millisecond, 20*time.Millisecond
		_ = h.bot.RunInbox(rctx, cfg)
	}()
	u := h.user(101, "Hà")
	u.Send("/start " + h.invitee("Thu Hà").Token)
	u.Press(1, matData(h.m.ID, itoa(mats[1].ID)))
	var content string
	if !h.srv.WaitFor(wait, func() bool {
		tx, err := h.db.BeginTx(ctx, nil)
		if err != nil {
			return false
		}
		defer tx.Rollback()
		return tx.QueryRowContext(ctx, `SELECT content FROM outbox WHERE content LIKE '%"material"%' AND state = 'queued'`).Scan(&content) == nil
	}) {
		t.Fatal("no queued document")
	}
	stop()
	wg.Wait()
	var row struct {
		Document map[string]any `json:"document"`
	}
	if err := json.Unmarshal([]byte(content), &row); err != nil {
		t.Fatal(err)
	}
	if row.Document["material"] != float64(mats[1].ID) || row.Document["name"] != "du-thao-bao-cao.docx" {
		t.Fatalf("document reference %v", row.Document)
	}
	if _, ok := row.Document["data"]; ok || len(content) > 1024 {
		t.Fatalf("the outbox row carries the file (%d bytes): %.200s", len(content), content)
	}
	if n := len(h.srv.Messages(u.ID)); n != 0 {
		t.Fatalf("%d messages sent before the restart", n)
	}
	// After the "restart": a new channel and dispatcher deliver it.
	h.run(ctx, newChannel())
	doc := h.document(u.ID, 0)
	if doc.Document.Name != "du-thao-bao-cao.docx" || !bytes.Equal(doc.Document.Data, files[1]) {
		t.Fatalf("delivered %q (%d bytes)", doc.Document.Name, len(doc.Document.Data))
	}
}

// TestMaterialsZalo: on Zalo (no buttons, no files) the invitation offers
// each document as a numbered choice, and /materials numbers them; choosing
// one gives its title, size and a personal download link, which serves the
// file with its type and name and refuses a forged token. Without a web
// desk the reply says where to get the documents instead.
func TestMaterialsZalo(t *testing.T) {
	h, srv := newZalo(t)
	c := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-1", "Lê Thị Thu Hà")}
	c.say(h.invitee("Thu Hà").Token, "Đã liên kết thành công")
	before := len(srv.Messages(c.u.ID))
	h.issue()
	inv := c.wait(before, "GIẤY MỜI")
	// Each document is a numbered choice of the invitation.
	if !strings.Contains(inv, "4. 📎 Tài liệu: Chương trình hội nghị\n5. 📎 Tài liệu: Dự thảo báo cáo kết quả sinh hoạt chi bộ thường kỳ mẫu\n") {
		t.Fatalf("invitation lacks the documents as choices:\n%s", inv)
	}
	if got := c.say("5", "Dự thảo báo cáo kết quả sinh hoạt chi bộ thường kỳ mẫu (du-thao-bao-cao.docx, 2 KB)"); !strings.Contains(got, "phát tài liệu tại hội nghị") {
		t.Fatalf("choice 5: %q", got)
	}
	l := c.say("/materials", "📎 Tài liệu")
	for _, want := range []string{"1. Chương trình hội nghị (chuong-trinh-hoi-nghi.pdf, ", "2. Dự thảo báo cáo", "3. 📎 Gửi tất cả tài liệu"} {
		if !strings.Contains(l, want) {
			t.Fatalf("list lacks %q:\n%s", want, l)
		}
	}
	t.Run("NoDeskSaysWhereToGetThem", func(t *testing.T) {
		got := c.say("1", "Chương trình hội nghị (chuong-trinh-hoi-nghi.pdf")
		if !strings.Contains(got, "phát tài liệu tại hội nghị") || strings.Contains(got, "http") {
			t.Fatalf("reply %q", got)
		}
	})
	t.Run("PersonalDownloadLink", func(t *testing.T) {
		desk, err := web.New(web.Config{Meetings: h.svc.Meetings, People: h.svc.People, Invitations: h.svc.Invitations,
			Feedback: h.svc.Feedback, Plans: h.svc.Plans, Texts: h.bot.Texts, MaterialByLink: h.bot.MaterialByLink})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(desk)
		t.Cleanup(hs.Close)
		h.bot.SetMaterialLinks(hs.URL)
		c.say("/materials", "📎 Tài liệu")
		got := c.say("2", "Dự thảo báo cáo")
		i := strings.Index(got, hs.URL+"/doc/")
		if i < 0 || !strings.Contains(got, "du-thao-bao-cao.docx") || !strings.Contains(got, "KB") {
			t.Fatalf("reply %q", got)
		}
		link := strings.Fields(got[i:])[0]
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_, files := exampleMaterials(t, h)
		if resp.StatusCode != 200 || !bytes.Equal(body, files[1]) ||
			resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="du-thao-bao-cao.docx"` ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("download: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(body))
		}
		// A forged or altered token is refused like an unknown page.
		tok := strings.TrimPrefix(link, hs.URL+"/doc/")
		parts := strings.SplitN(tok, "-", 3)
		mats, _ := exampleMaterials(t, h)
		for _, bad := range []string{
			parts[0] + "-" + itoa(mats[0].ID) + "-" + parts[2], // another material, same signature
			"i999-" + parts[1] + "-" + parts[2],                // another invitation
			parts[0] + "-" + parts[1] + "-" + strings.Repeat("A", len(parts[2])),
			"x", "",
		} {
			resp, err := http.Get(hs.URL + "/doc/" + bad)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || bytes.Contains(body, []byte("PK")) {
				t.Fatalf("forged %q: %d", bad, resp.StatusCode)
			}
		}
	})
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/web"
)

// TestMaterialLinkRoute: /doc/{token} is public (the token is the
// permission, checked by MaterialByLink): a good token gets the file with
// its type and a name any browser saves correctly, a bad one 404 with a
// text, never the sign-in page; it is listed among the public routes and
// not among those behind a sign-in.
func TestMaterialLinkRoute(t *testing.T) {
	texts, err := bot.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.4 test")
	srv, err := web.New(web.Config{Texts: texts, MaterialByLink: func(_ context.Context, tok string) (*convene.Material, []byte, error) {
		if tok != "i1-2-good" {
			return nil, nil, convene.Errorf(convene.ENOTFOUND, "no such link")
		}
		return &convene.Material{ID: 2, Title: "Chương trình", Name: "Chương trình hội nghị.pdf", MIME: "application/pdf"}, data, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/doc/i1-2-good")
	if resp.StatusCode != 200 || body != string(data) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("good token: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	cd := resp.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="Ch`) || !strings.Contains(cd, "filename*=utf-8''Ch%C6%B0%C6%A1ng%20tr%C3%ACnh%20h%E1%BB%99i%20ngh%E1%BB%8B.pdf") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	resp, body = get("/doc/i1-2-forged")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "không còn hiệu lực") || strings.Contains(body, "%PDF") {
		t.Fatalf("forged token: %d %q", resp.StatusCode, body)
	}
	public := strings.Join(web.PublicRoutes(), "\n")
	if !strings.Contains(public, "GET /doc/{token}") {
		t.Fatalf("public routes %q", public)
	}
	for r := range web.Routes() {
		if strings.HasPrefix(r, "GET /doc/") {
			t.Fatalf("%s listed behind a sign-in", r)
		}
	}
	// Without MaterialByLink the route is off.
	off, _ := web.New(web.Config{Texts: texts})
	rec := httptest.NewRecorder()
	off.ServeHTTP(rec, httptest.NewRequest("GET", "/doc/i1-2-good", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("route off: %d", rec.Code)
	}
}

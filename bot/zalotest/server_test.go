package zalotest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/bot/zalotest"
)

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// post calls method with a JSON body, as the adapter does.
func post(t *testing.T, srv *zalotest.Server, token, method string, body any) (int, answer) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(srv.URL+"/bot"+token+"/"+method, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a
}

func TestGetMe(t *testing.T) {
	srv := zalotest.NewServer(zalotest.Options{AccountName: "bot.test"})
	defer srv.Close()
	code, a := post(t, srv, srv.Token(), "getMe", map[string]any{})
	var me struct {
		ID          string `json:"id"`
		AccountName string `json:"account_name"`
	}
	_ = json.Unmarshal(a.Result, &me)
	if code != 200 || !a.OK || me.ID != srv.BotID() || me.AccountName != "bot.test" {
		t.Fatalf("%d %+v", code, a)
	}
	if code, a := post(t, srv, "1:wrong", "getMe", nil); code != 401 || a.OK || a.ErrorCode != 401 {
		t.Fatalf("bad token: %d %+v", code, a)
	}
}

func TestGetUpdates(t *testing.T) {
	t.Run("OneAtATimeInOrder", func(t *testing.T) {
		srv := zalotest.NewServer(zalotest.Options{})
		defer srv.Close()
		u := srv.NewUser("u1", "An")
		id1, id2 := u.Send("một"), u.Send("hai")
		for _, want := range []struct{ id, text string }{{id1, "một"}, {id2, "hai"}} {
			code, a := post(t, srv, srv.Token(), "getUpdates", map[string]string{"timeout": "1"})
			var up zalotest.Update
			if err := json.Unmarshal(a.Result, &up); err != nil || code != 200 {
				t.Fatalf("%d %s %v", code, a.Result, err)
			}
			if up.EventName != "message.text.received" || up.Message.Text != want.text || up.Message.MessageID != want.id ||
				up.Message.From.ID != "u1" || up.Message.From.DisplayName != "An" || up.Message.Chat.ChatType != "PRIVATE" {
				t.Fatalf("update %+v", up)
			}
		}
	})
	t.Run("408AfterTimeout", func(t *testing.T) {
		srv := zalotest.NewServer(zalotest.Options{})
		defer srv.Close()
		start := time.Now()
		code, a := post(t, srv, srv.Token(), "getUpdates", map[string]int{"timeout": 1})
		if code != 408 || a.OK || a.ErrorCode != 408 {
			t.Fatalf("%d %+v", code, a)
		}
		if d := time.Since(start); d < 900*time.Millisecond || d > 2*time.Second {
			t.Fatalf("answered after %s", d)
		}
		if srv.Stats().Timeouts != 1 {
			t.Fatal("timeout not counted")
		}
	})
	t.Run("WakesOnNewUpdate", func(t *testing.T) {
		srv := zalotest.NewServer(zalotest.Options{})
		defer srv.Close()
		go func() { time.Sleep(100 * time.Millisecond); srv.NewUser("u1", "An").Send("muộn") }()
		start := time.Now()
		code, a := post(t, srv, srv.Token(), "getUpdates", map[string]string{"timeout": "5"})
		if code != 200 || !strings.Contains(string(a.Result), "muộn") || time.Since(start) > 2*time.Second {
			t.Fatalf("%d %s", code, a.Result)
		}
	})
	t.Run("ConflictWithWebhook", func(t *testing.T) {
		srv := zalotest.NewServer(zalotest.Options{})
		defer srv.Close()
		if code, a := post(t, srv, srv.Token(), "setWebhook", map[string]string{"url": "https://x.example/h", "secret_token": "12345678"}); code != 200 || !a.OK {
			t.Fatalf("setWebhook %d %+v", code, a)
		}
		if code, _ := post(t, srv, srv.Token(), "getUpdates", map[string]string{"timeout": "1"}); code != 409 {
			t.Fatalf("getUpdates with webhook: %d", code)
		}
	})
}

func TestSendMessage(t *testing.T) {
	srv := zalotest.NewServer(zalotest.Options{})
	defer srv.Close()
	srv.NewUser("u1", "An")
	srv.NewUser("u2", "Bình")
	cases := []struct {
		name, chat, text string
		code             int
	}{
		{"Ok", "u1", "xin chào", 200},
		{"Exactly2000", "u1", strings.Repeat("ạ", 2000), 200},
		{"TooLong", "u1", strings.Repeat("a", 2001), 400},
		{"EmojiCountsTwo", "u1", strings.Repeat("😀", 1001), 400},
		{"Empty", "u1", "", 400},
		{"UnknownChat", "nobody", "hi", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, a := post(t, srv, srv.Token(), "sendMessage", map[string]string{"chat_id": tc.chat, "text": tc.text})
			if code != tc.code || a.OK != (tc.code == 200) {
				t.Fatalf("%d %+v", code, a)
			}
		})
	}
	if got := srv.Messages("u1"); len(got) != 2 || got[0] != "xin chào" {
		t.Fatalf("messages %d", len(got))
	}
	t.Run("Blocked", func(t *testing.T) {
		srv.Block("u2")
		if code, a := post(t, srv, srv.Token(), "sendMessage", map[string]string{"chat_id": "u2", "text": "hi"}); code != 403 || a.ErrorCode != 403 {
			t.Fatalf("%d %+v", code, a)
		}
		srv.Unblock("u2")
		if code, _ := post(t, srv, srv.Token(), "sendMessage", map[string]string{"chat_id": "u2", "text": "hi"}); code != 200 {
			t.Fatalf("after unblock %d", code)
		}
	})
}

func TestFaults(t *testing.T) {
	srv := zalotest.NewServer(zalotest.Options{})
	defer srv.Close()
	srv.NewUser("u1", "An")
	send := func() (int, answer) {
		return post(t, srv, srv.Token(), "sendMessage", map[string]string{"chat_id": "u1", "text": "hi"})
	}
	srv.FailNext("sendMessage", 400, "Bad Request: nope")
	if code, a := send(); code != 400 || a.Description != "Bad Request: nope" {
		t.Fatalf("FailNext: %d %+v", code, a)
	}
	srv.FailFor(200*time.Millisecond, 502)
	if code, _ := send(); code != 502 {
		t.Fatalf("FailFor: %d", code)
	}
	time.Sleep(250 * time.Millisecond)
	srv.Force429(2)
	if code, a := send(); code != 429 || a.Parameters.RetryAfter != 2 {
		t.Fatalf("Force429: %d %+v", code, a)
	}
	if st := srv.Stats(); st.Failures != 2 || st.TooMany != 1 || len(srv.Messages("u1")) != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestWaitMessages(t *testing.T) {
	srv := zalotest.NewServer(zalotest.Options{})
	defer srv.Close()
	srv.NewUser("u1", "An")
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post(t, srv, srv.Token(), "sendMessage", map[string]string{"chat_id": "u1", "text": "x"})
		}()
	}
	got, err := srv.WaitMessages(2*time.Second, "u1", 5)
	wg.Wait()
	if err != nil || len(got) != 5 {
		t.Fatalf("got %d, err %v", len(got), err)
	}
	if _, err := srv.WaitMessages(50*time.Millisecond, "u1", 6); err == nil {
		t.Fatal("no error when messages are missing")
	}
}

func TestPostWebhook(t *testing.T) {
	srv := zalotest.NewServer(zalotest.Options{})
	defer srv.Close()
	u := srv.NewUser("u1", "An")
	var got struct {
		sync.Mutex
		header string
		body   answer
	}
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Lock()
		defer got.Unlock()
		got.header = r.Header.Get("X-Bot-Api-Secret-Token")
		_ = json.NewDecoder(r.Body).Decode(&got.body)
		w.WriteHeader(http.StatusAccepted)
	})
	h := httptest.NewServer(hook)
	defer h.Close()
	code, err := srv.PostWebhook(h.URL, "secret-123", u.Text("chào"))
	if err != nil || code != http.StatusAccepted {
		t.Fatalf("%d %v", code, err)
	}
	got.Lock()
	defer got.Unlock()
	var up zalotest.Update
	_ = json.Unmarshal(got.body.Result, &up)
	if got.header != "secret-123" || !got.body.OK || up.Message == nil || up.Message.Text != "chào" || up.Message.MessageID == "" {
		t.Fatalf("header %q body %+v", got.header, got.body)
	}
}

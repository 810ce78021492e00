package bot_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/bot/zalotest"
)

// update rewrites the golden transcripts: go test ./bot -run TestGolden -update
var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/golden")

// TestMain raises -parallel to 16 unless it was given: TestGolden's
// parallel subtests wait on Telegram's per-chat limit, not on the CPU, and
// the default (GOMAXPROCS, 2 here) makes it take 100 s instead of 18 s.
// No other test in the package calls t.Parallel.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", "16"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// person is one chat a transcript follows: a Telegram or a Zalo user.
type person struct {
	label string
	tg    *telegramtest.User
	z     *zalotest.User
}

// transcript drives one flow through the real bot and writes down, step by
// step, what each person wrote or pressed and everything the bot sent them:
// new messages, edits, deletions, button rows, files and answers to presses.
type transcript struct {
	t      *testing.T
	h      *harness
	zsrv   *zalotest.Server
	lang   string
	out    strings.Builder
	people []*person
	// seen is the state of each Telegram chat at the last step; zseen
	// counts the Zalo messages already written down.
	seen  map[int64][]telegramtest.Message
	zseen map[string]int
	// secrets maps a personal token, code or check-in code (normalized)
	// to its placeholder; kinds counts the placeholders of each kind.
	secrets map[string]string
	kinds   map[string]int
	// batchSeen is when each open batch was first seen (batchOpen).
	batchSeen map[string]time.Time
}

func newTranscript(t *testing.T, h *harness, lang string) *transcript {
	return &transcript{t: t, h: h, lang: lang, seen: map[int64][]telegramtest.Message{}, zseen: map[string]int{},
		secrets: map[string]string{}, kinds: map[string]int{}}
}

// tgUser adds a Telegram user the transcript follows, labelled label. In an
// English transcript they first switch the language with /lang en.
func (tr *transcript) tgUser(id int64, name, label string) *telegramtest.User {
	u := tr.h.srv.NewUser(id, name, "", "", tr.lang)
	tr.people = append(tr.people, &person{label: label, tg: u})
	if tr.lang != "vi" {
		tr.send(u, "/lang "+tr.lang)
	}
	return u
}

// zaloUser adds a Zalo user the transcript follows.
func (tr *transcript) zaloUser(id, name, label string) *zalotest.User {
	u := tr.zsrv.NewUser(id, name)
	tr.people = append(tr.people, &person{label: label, z: u})
	if tr.lang != "vi" {
		tr.zsend(u, "/lang "+tr.lang)
	}
	return u
}

func (tr *transcript) labelOf(u *telegramtest.User) string {
	for _, p := range tr.people {
		if p.tg == u {
			return p.label
		}
	}
	return fmt.Sprint(u.ID)
}

func (tr *transcript) zlabelOf(u *zalotest.User) string {
	for _, p := range tr.people {
		if p.z == u {
			return p.label
		}
	}
	return u.ID
}

// note writes a line about what happens outside any chat (the office
// issues invitations, the clock moves).
func (tr *transcript) note(format string, args ...any) {
	fmt.Fprintf(&tr.out, "\n=== %s\n", fmt.Sprintf(format, args...))
}

// system writes note, runs fn (an action outside any chat) and the bot's answers.
func (tr *transcript) system(note string, fn func()) {
	tr.t.Helper()
	tr.note("%s", note)
	fn()
	tr.step()
}

// at sets the clock to the local time s (Asia/Ho_Chi_Minh, "2006-01-02 15:04").
func (tr *transcript) at(s string) {
	tr.t.Helper()
	loc := time.FixedZone("ICT", 7*3600)
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.settle()
	tr.h.clock.Set(t)
	tr.note("clock: %s (UTC+7)", s)
}

// send makes u write text and records the answers.
func (tr *transcript) send(u *telegramtest.User, text string) {
	tr.t.Helper()
	tr.settle()
	fmt.Fprintf(&tr.out, "\n» %s: %s\n", tr.labelOf(u), said(tr.mask(text)))
	u.Send(text)
	tr.step()
}

// contact makes u share the contact card of phone (whose = the card's Telegram user id).
func (tr *transcript) contact(u *telegramtest.User, phone string, whose int64) {
	tr.t.Helper()
	tr.settle()
	own := "own"
	if whose != u.ID {
		own = "someone else's"
	}
	fmt.Fprintf(&tr.out, "\n» %s shares %s contact card: %s\n", tr.labelOf(u), own, phone)
	u.ShareContact(phone, whose)
	tr.step()
}

// press makes u press the button whose data matches the regular expression
// data, on the latest message of u's chat that has one.
func (tr *transcript) press(u *telegramtest.User, data string) {
	tr.t.Helper()
	tr.pressOn(u, u.ID, data)
}

// pressOn is press on a message of another chat (a forwarded message).
func (tr *transcript) pressOn(u *telegramtest.User, chat int64, data string) {
	tr.t.Helper()
	tr.settle()
	re := regexp.MustCompile(data)
	ms := tr.h.srv.Messages(chat)
	for i := len(ms) - 1; i >= 0; i-- {
		for _, row := range ms[i].Buttons {
			for _, b := range row {
				if b.Data == "" || !re.MatchString(b.Data) {
					continue
				}
				where := fmt.Sprintf("#%d", i+1)
				if chat != u.ID {
					where = fmt.Sprintf("%s's #%d", tr.chatLabel(chat), i+1)
				}
				fmt.Fprintf(&tr.out, "\n» %s presses [%s] on %s\n", tr.labelOf(u), tr.mask(b.Text), where)
				var cb string
				if chat == u.ID {
					_, cb = u.Press(ms[i].ID, b.Data)
				} else {
					_, cb = u.PressOn(chat, ms[i].ID, b.Data)
				}
				if !tr.h.srv.WaitFor(wait, func() bool { return tr.h.srv.Answered(cb) }) {
					tr.t.Fatalf("press %s not answered", b.Data)
				}
				if a := answerOf(tr.h.srv, cb); a != "" {
					fmt.Fprintf(&tr.out, "  (answer: %s)\n", tr.mask(a))
				}
				tr.step()
				return
			}
		}
	}
	tr.t.Fatalf("%s: no button matching %q; last message %q", tr.chatLabel(chat), data, lastText(ms))
}

func (tr *transcript) chatLabel(chat int64) string {
	for _, p := range tr.people {
		if p.tg != nil && p.tg.ID == chat {
			return p.label
		}
	}
	return fmt.Sprint(chat)
}

// zsend makes the Zalo user u write text and records the answers.
func (tr *transcript) zsend(u *zalotest.User, text string) {
	tr.t.Helper()
	tr.settle()
	fmt.Fprintf(&tr.out, "\n» %s: %s\n", tr.zlabelOf(u), said(tr.mask(text)))
	before := len(tr.zsrv.Messages(u.ID))
	u.Send(text)
	// Zalo's getUpdates hands an update over without a later confirmation,
	// so an empty queue does not mean the bot stored it yet: every text in
	// these flows is answered, so wait for the answer first.
	if !tr.zsrv.WaitFor(wait, func() bool { return len(tr.zsrv.Messages(u.ID)) > before }) {
		tr.t.Fatalf("zalo: no answer to %q", text)
	}
	tr.step()
}

// step waits until the bot took every update and sent everything it
// queued, then writes down what changed in each followed chat.
func (tr *transcript) step() {
	tr.t.Helper()
	if tr.h.srv != nil && !tr.h.srv.WaitFor(settleWait, func() bool { return tr.h.srv.Pending() == 0 }) {
		tr.t.Fatal("telegram updates not taken")
	}
	if tr.zsrv != nil && !tr.zsrv.WaitFor(settleWait, func() bool { return tr.zsrv.Pending() == 0 }) {
		tr.t.Fatal("zalo updates not taken")
	}
	// Some messages are queued only after others were sent (the office's
	// delivery report after a batch): wait until nothing changes for a while.
	for {
		tr.settle()
		before := tr.signature()
		time.Sleep(quietWait)
		tr.settle()
		if tr.signature() == before && !tr.batchOpen() {
			break
		}
	}
	for _, p := range tr.people {
		if p.tg != nil {
			tr.diffTelegram(p)
		} else {
			tr.diffZalo(p)
		}
	}
}

// settle is harness.settle polling the database less often: under
// storage.DB's statement cache a cold start with many queries at once can
// exhaust the connection pool (see the report of branch gold), and eager
// polling makes that likelier.
func (tr *transcript) settle() {
	tr.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(settleWait)
	for {
		waiting, _, err1 := tr.h.svc.Inbox.InboxCounts(ctx)
		depth, err2 := tr.h.svc.Outbox.QueueDepth(ctx)
		if err1 == nil && err2 == nil && waiting == 0 && depth == 0 {
			return
		}
		if time.Now().After(deadline) {
			tr.t.Fatal("the bot did not settle: updates or messages still waiting")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// batchOpen reports whether a batch of messages (invitations, reminders)
// was not reported to whoever sent it yet; the dispatcher checks batches
// now and then, so its report may come well after the last message.
// Batches still open two seconds after they were first seen are let be.
func (tr *transcript) batchOpen() bool {
	ctx := context.Background()
	tx, err := tr.h.db.BeginTx(ctx, nil)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer tx.Rollback()
	var open []string
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT batch FROM outbox WHERE batch <> '' AND batch NOT IN (SELECT batch FROM batches)`)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			tr.t.Fatal(err)
		}
		open = append(open, b)
	}
	if tr.batchSeen == nil {
		tr.batchSeen = map[string]time.Time{}
	}
	for _, b := range open {
		first, ok := tr.batchSeen[b]
		if !ok {
			tr.batchSeen[b] = time.Now()
			return true
		}
		if time.Since(first) < 2*time.Second {
			return true
		}
	}
	return false
}

// quietWait is how long nothing may change before a step is over.
const quietWait = 150 * time.Millisecond

// signature sums up the state of the followed chats: messages, edits, deletions.
func (tr *transcript) signature() string {
	var sb strings.Builder
	for _, p := range tr.people {
		if p.tg != nil {
			for _, m := range tr.h.srv.Messages(p.tg.ID) {
				fmt.Fprintf(&sb, "%d.%d.%t ", m.ID, m.Edits, m.Deleted)
			}
		} else {
			fmt.Fprintf(&sb, "%d ", len(tr.zsrv.Messages(p.z.ID)))
		}
		sb.WriteString("|")
	}
	return sb.String()
}

func (tr *transcript) diffTelegram(p *person) {
	ms := tr.h.srv.Messages(p.tg.ID)
	old := tr.seen[p.tg.ID]
	for i, m := range ms {
		switch {
		case i >= len(old):
			tr.writeMessage(p.label, i+1, "", m)
		case m.Deleted && !old[i].Deleted:
			fmt.Fprintf(&tr.out, "« %s #%d deleted\n", p.label, i+1)
		case m.Edits != old[i].Edits:
			tr.writeMessage(p.label, i+1, " edited", m)
		}
	}
	tr.seen[p.tg.ID] = ms
}

func (tr *transcript) diffZalo(p *person) {
	ms := tr.zsrv.Messages(p.z.ID)
	for i := tr.zseen[p.z.ID]; i < len(ms); i++ {
		fmt.Fprintf(&tr.out, "« %s #%d\n%s\n", p.label, i+1, indent(tr.mask(ms[i]), "    "))
	}
	tr.zseen[p.z.ID] = len(ms)
}

func (tr *transcript) writeMessage(label string, n int, what string, m telegramtest.Message) {
	fmt.Fprintf(&tr.out, "« %s #%d%s\n", label, n, what)
	if m.Photo != nil {
		fmt.Fprintf(&tr.out, "    🖼 photo %s\n", tr.mask(m.Photo.Name))
	}
	if m.Document != nil {
		fmt.Fprintf(&tr.out, "    📄 document %s\n", tr.mask(m.Document.Name))
	}
	if m.Text != "" {
		fmt.Fprintf(&tr.out, "%s\n", indent(tr.mask(m.Text), "    "))
	}
	for _, row := range m.Buttons {
		var bs []string
		for _, b := range row {
			s := "[" + tr.mask(b.Text)
			if b.URL != "" {
				s += " → " + tr.mask(b.URL)
			}
			bs = append(bs, s+"]")
		}
		fmt.Fprintf(&tr.out, "    %s\n", strings.Join(bs, " "))
	}
	if m.ContactButton != "" {
		fmt.Fprintf(&tr.out, "    keyboard: [%s] (shares the phone number)\n", m.ContactButton)
	}
	if m.RemoveKeyboard {
		fmt.Fprintf(&tr.out, "    keyboard removed\n")
	}
}

// indent prefixes each non-empty line of s with pre.
func indent(s, pre string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pre + l
		}
	}
	return strings.Join(lines, "\n")
}

// said is what a person wrote: its first line follows the name, the others are indented.
func said(s string) string { return strings.TrimPrefix(indent(s, "    "), "    ") }

var (
	// startPayload is a deep link's payload: a personal token or a check-in code.
	startPayload = regexp.MustCompile(`start=([A-Za-z0-9_-]+)`)
	// checkinText is a venue check-in code as written out.
	checkinText = regexp.MustCompile(`\bci-[A-Za-z0-9_-]{6,}`)
	// personalCode is a personal code as printed (in groups of four) or typed (any case, spaces or dashes).
	personalCode = regexp.MustCompile(`(?i)\b[2-9a-hjkmnp-tv-z]{4}(?:[ -]?[2-9a-hjkmnp-tv-z]{4}){5}[ -]?[2-9a-hjkmnp-tv-z]{3}\b`)
	// linkConfirm is the six-digit code that confirms a second account.
	linkConfirm = regexp.MustCompile(`\b[0-9]{6}\b`)
)

// placeholder returns the stable name of the secret s of kind: <KIND-n>,
// numbered in the order secrets first appear in the transcript.
func (tr *transcript) placeholder(kind, s string) string {
	key := kind + ":" + s
	if p, ok := tr.secrets[key]; ok {
		return p
	}
	tr.kinds[kind]++
	p := fmt.Sprintf("<%s-%d>", kind, tr.kinds[kind])
	tr.secrets[key] = p
	return p
}

func normalCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
}

// mask replaces personal tokens, codes and check-in codes with placeholders.
func (tr *transcript) mask(s string) string {
	s = startPayload.ReplaceAllStringFunc(s, func(m string) string {
		v := strings.TrimPrefix(m, "start=")
		if strings.HasPrefix(v, "ci-") {
			return "start=" + tr.placeholder("CHECKIN", v)
		}
		return "start=" + tr.placeholder("TOKEN", normalCode(v))
	})
	s = checkinText.ReplaceAllStringFunc(s, func(m string) string { return tr.placeholder("CHECKIN", m) })
	s = personalCode.ReplaceAllStringFunc(s, func(m string) string {
		return tr.placeholder("TOKEN", normalCode(m))
	})
	if strings.Contains(s, "🔐") {
		s = linkConfirm.ReplaceAllStringFunc(s, func(m string) string { return tr.placeholder("CODE", m) })
	}
	return s
}

// check compares the transcript with testdata/golden/<name>.<lang>.txt,
// or rewrites that file under -update.
func (tr *transcript) check(name string) {
	tr.t.Helper()
	got := strings.TrimLeft(tr.out.String(), "\n")
	path := filepath.Join("testdata", "golden", name+"."+tr.lang+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tr.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tr.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tr.t.Fatalf("%v (run go test ./bot -run TestGolden -update to write it)", err)
	}
	if string(want) != got {
		tr.t.Errorf("%s differs from what the bot says now (- golden, + now; -update rewrites it):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff is a small line diff (longest common subsequence) with a few lines of context.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var ls []line
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ls = append(ls, line{' ', x[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ls = append(ls, line{'-', x[i]})
			i++
		default:
			ls = append(ls, line{'+', y[j]})
			j++
		}
	}
	const context = 3
	var sb strings.Builder
	last := -1
	for k, l := range ls {
		near := false
		for d := -context; d <= context; d++ {
			if k+d >= 0 && k+d < len(ls) && ls[k+d].op != ' ' {
				near = true
				break
			}
		}
		if !near {
			continue
		}
		if last >= 0 && k != last+1 {
			sb.WriteString("   …\n")
		}
		fmt.Fprintf(&sb, "%c  %s\n", l.op, l.text)
		last = k
	}
	return sb.String()
}

// tokenOf returns the personal token of the invitee named name.
func (tr *transcript) tokenOf(name string) string { return tr.h.invitee(name).Token }

// checkinPayload returns the venue's static check-in code (the deep link's payload).
func (tr *transcript) checkinPayload() string {
	tr.t.Helper()
	link, err := tr.h.bot.CheckinLink(context.Background(), tr.h.m)
	if err != nil {
		tr.t.Fatal(err)
	}
	return link[strings.Index(link, "start=")+len("start="):]
}

// Package console is a chat channel in a terminal: lines typed on standard
// input are messages, and what the bot sends is printed with choices as a
// numbered list. It needs no token and no network; `convene try` uses it.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene/bot"
)

// Channel is the terminal channel of one user.
type Channel struct {
	in  io.Reader
	out io.Writer

	// session keeps update ids unique across runs on one database.
	session int64
	mu      sync.Mutex
	nextID  int
	// UserID and ChatID name the person typing; Switch changes them.
	userID string
	name   string
	// OnLine, when set, sees each line first; it returns true if it handled it
	// (e.g. "/as organizer").
	OnLine func(ctx context.Context, line string) bool
}

// New returns a console channel reading in and writing out.
func New(in io.Reader, out io.Writer, userID, name string) *Channel {
	return &Channel{in: in, out: out, userID: userID, name: name, session: time.Now().UnixNano()}
}

// Name returns "console".
func (c *Channel) Name() string { return "console" }

// Caps: plain text only, like Zalo, so flows are shown as they are there.
func (c *Channel) Caps() bot.Caps { return bot.Caps{MaxText: 4000} }

// Switch makes the following lines come from another user.
func (c *Channel) Switch(userID, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userID, c.name = userID, name
}

// User returns the current user id.
func (c *Channel) User() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.userID
}

// Send prints m.
func (c *Channel) Send(ctx context.Context, chatID string, m bot.Outgoing) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	var sb strings.Builder
	if chatID != c.userID {
		fmt.Fprintf(&sb, "[to %s] ", chatID)
	}
	sb.WriteString("🤖 ")
	sb.WriteString(strings.ReplaceAll(m.Text, "\n", "\n   "))
	if m.Document != nil {
		fmt.Fprintf(&sb, "\n   📎 %s (%d bytes)", m.Document.Name, len(m.Document.Data))
	}
	if m.Photo != nil {
		fmt.Fprintf(&sb, "\n   🖼 %s (%d bytes)", m.Photo.Name, len(m.Photo.Data))
	}
	sb.WriteString("\n")
	_, err := io.WriteString(c.out, sb.String())
	return strconv.Itoa(c.nextID), err
}

// Edit prints the new version of a message.
func (c *Channel) Edit(ctx context.Context, chatID, messageID string, m bot.Outgoing) error {
	_, err := c.Send(ctx, chatID, m)
	return err
}

// Answer prints a button press's notice, if any.
func (c *Channel) Answer(ctx context.Context, callbackID, text string) error {
	if text == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.out, "   (%s)\n", text)
	return err
}

// Receive reads lines until the input ends or ctx is done; each line is an
// update ("/cmd args" is a command).
func (c *Channel) Receive(ctx context.Context, handle func(context.Context, *bot.Incoming) error) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
		close(lines)
	}()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-errc
			}
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if c.OnLine != nil && c.OnLine(ctx, line) {
				continue
			}
			n++
			uid, name := c.User(), c.name
			in := &bot.Incoming{Channel: "console", UpdateID: fmt.Sprintf("%d-%s-%d", c.session, uid, n), UserID: uid, ChatID: uid, Name: name, Text: line, Private: true}
			if strings.HasPrefix(line, "/") {
				cmd, args, _ := strings.Cut(line[1:], " ")
				in.Command, in.Args = cmd, strings.TrimSpace(args)
			}
			if err := handle(ctx, in); err != nil {
				fmt.Fprintf(c.out, "   (error: %v)\n", err)
			}
		}
	}
}

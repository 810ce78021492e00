// Command convene runs the meeting bot and its command-line tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/storage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	stop()
	os.Exit(exitCode(m.Stderr, err))
}

// exitCode prints err and returns the process's exit status: 2 for wrong
// usage (with the usage line), 1 for other errors.
func exitCode(w io.Writer, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		if ue.msg != "" {
			fmt.Fprintf(w, "convene: %s\n", ue.msg)
		}
		fmt.Fprintf(w, "usage: %s\n", ue.usage)
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var re *convene.RosterError
	if errors.As(err, &re) {
		fmt.Fprintln(w, "convene: "+re.Error())
		return 1
	}
	msg := err.Error()
	if code := convene.ErrorCode(err); code != convene.EINTERNAL {
		msg = convene.ErrorMessage(err)
	}
	fmt.Fprintf(w, "convene: %s\n", strings.ReplaceAll(msg, "\n", " "))
	return 1
}

// usageError is wrong usage: a message and the command's usage line.
type usageError struct{ msg, usage string }

func (e *usageError) Error() string { return e.msg }

// Main is the program: configuration, the database and the running parts.
// Tests drive it with a temporary database.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// Now is the clock for storage, bot and scheduler; tests replace it.
	Now func() time.Time

	Config Config
	DB     *storage.DB
	Logger *slog.Logger

	closers []func() error
}

// NewMain returns a Main reading the real environment and standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

// Close releases what Run opened, the database last.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	return errors.Join(errs...)
}

const usage = `convene COMMAND [flags]

commands:
  serve                                        run the bot until SIGINT/SIGTERM
  try                                          chat with the bot in this terminal (no token needed)
  plan apply FILE.yaml                         create or update meetings (by code)
  roster import --meeting CODE FILE            import delegates from .csv or .xlsx
  links --meeting CODE [--format csv|json]     personal links, one row per invitee
  invite --meeting CODE                        issue invitations
  remind --meeting CODE [--audience A]         send a reminder now
  broadcast --meeting CODE [--audience A] TEXT send an announcement
  checkin-link --meeting CODE [--qr FILE.png]  the venue check-in link and QR code
                  [--qr FILE.pdf]              ... or a printable A4 check-in poster
  feedback open --meeting CODE                 ask for feedback now
  units --meeting CODE [--format md|csv|json]  per unit and category: asked, nominated, linked, attending
  report --meeting CODE --format md|csv|json|xlsx|pdf [-o FILE]
  letters --meeting CODE -o FILE.pdf           printable invitation letters with QR codes
  backup FILE                                  consistent copy of the database

Files written (report -o, letters -o, checkin-link --qr, backup) get mode 0600; an
existing file, or a symlink at the name, is refused unless --force is given.

Every command takes the configuration flags (--db, …); run "convene COMMAND -h" to list them.`

// Run runs the command args names.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: "no command given", usage: usage}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "plan", "roster", "feedback":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return &usageError{msg: name + ": missing subcommand", usage: usage}
		}
		name, rest = name+" "+rest[0], rest[1:]
	}
	cmd, ok := m.commands()[name]
	if !ok {
		if name == "help" || name == "-h" || name == "--help" {
			fmt.Fprintln(m.Stdout, "usage: "+usage)
			return nil
		}
		return &usageError{msg: fmt.Sprintf("unknown command %q", name), usage: usage}
	}
	fs := flag.NewFlagSet("convene "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := m.Config.register(fs, m.Getenv); err != nil {
		return err
	}
	run := cmd.setup(fs)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(m.Stdout)
			fmt.Fprintf(m.Stdout, "usage: convene %s\n\nflags:\n", cmd.usage)
			fs.PrintDefaults()
			return nil
		}
		return &usageError{msg: err.Error(), usage: "convene " + cmd.usage}
	}
	if cmd.nargs >= 0 && fs.NArg() != cmd.nargs {
		return &usageError{msg: fmt.Sprintf("%s takes %d argument(s), got %d", name, cmd.nargs, fs.NArg()), usage: "convene " + cmd.usage}
	}
	m.Logger = newLogger(m.Stderr, m.Config.LogLevel)
	if err := run(ctx, fs.Args()); err != nil {
		var ue *usageError
		if errors.As(err, &ue) && ue.usage == "" {
			ue.usage = "convene " + cmd.usage
		}
		return err
	}
	return nil
}

// command is one subcommand: setup registers its flags and returns the function that runs it.
type command struct {
	usage string
	nargs int // exact number of positional arguments; -1: any
	setup func(fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openDB opens the configured database once.
func (m *Main) openDB() error {
	if m.DB != nil {
		return nil
	}
	db := storage.NewDB(m.Config.DB)
	db.Now = m.Now
	if err := db.Open(); err != nil {
		return fmt.Errorf("open database %s: %w", m.Config.DB, err)
	}
	m.DB = db
	return nil
}

// meetingBot checks that --meeting was given and returns the core.
func (m *Main) meetingBot(ctx context.Context, code string) (*bot.Bot, error) {
	if err := requireMeeting(code); err != nil {
		return nil, err
	}
	return m.newBot(ctx)
}

// requireMeeting returns a usage error when --meeting is missing.
func requireMeeting(code string) error {
	if code == "" {
		return &usageError{msg: "--meeting CODE is required"}
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/report"
	"github.com/convene/convene/storage"
)

func (m *Main) commands() map[string]command {
	return map[string]command{
		"serve":         {usage: "serve [flags]", nargs: 0, setup: m.setupServe},
		"try":           {usage: "try [flags]", nargs: 0, setup: m.setupTry},
		"plan apply":    {usage: "plan apply [flags] FILE.yaml", nargs: 1, setup: m.setupPlanApply},
		"roster import": {usage: "roster import --meeting CODE [flags] FILE.csv|FILE.xlsx", nargs: 1, setup: m.setupRosterImport},
		"links":         {usage: "links --meeting CODE [--format csv|json] [--units] [flags]", nargs: 0, setup: m.setupLinks},
		"invite":        {usage: "invite --meeting CODE [flags]", nargs: 0, setup: m.setupInvite},
		"remind":        {usage: "remind --meeting CODE [--audience A] [flags]", nargs: 0, setup: m.setupRemind},
		"broadcast":     {usage: "broadcast --meeting CODE [--audience A] [flags] TEXT", nargs: -1, setup: m.setupBroadcast},
		"checkin-link":  {usage: "checkin-link --meeting CODE [--qr FILE.png|FILE.pdf [--force]] [flags]", nargs: 0, setup: m.setupCheckinLink},
		"feedback open": {usage: "feedback open --meeting CODE [flags]", nargs: 0, setup: m.setupFeedbackOpen},
		"report":        {usage: "report --meeting CODE --format md|csv|json|xlsx|pdf [-o FILE [--force]] [flags]", nargs: 0, setup: m.setupReport},
		"units":         {usage: "units --meeting CODE [--format md|csv|json] [flags]", nargs: 0, setup: m.setupUnits},
		"letters":       {usage: "letters --meeting CODE -o FILE.pdf [--force] [flags]", nargs: 0, setup: m.setupLetters},
		"backup":        {usage: "backup [--force] [flags] FILE", nargs: 1, setup: m.setupBackup},
		"healthcheck":   {usage: "healthcheck [flags]", nargs: 0, setup: m.setupHealthcheck},
	}
}

func (m *Main) setupPlanApply(fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		p, err := plan.ParseFile(args[0])
		if err != nil {
			return err
		}
		b, err := m.newBot(ctx)
		if err != nil {
			return err
		}
		res, err := m.services().Plans.ApplyPlan(ctx, p)
		if err != nil {
			return fmt.Errorf("apply plan %s: %w", args[0], err)
		}
		for _, code := range res.Moved {
			n, err := b.NotifyMoved(ctx, code)
			if err != nil {
				return fmt.Errorf("notify invitees of %s: %w", code, err)
			}
			fmt.Fprintf(m.Stdout, "moved %s: %d invitees told to confirm again\n", code, n)
		}
		fmt.Fprintf(m.Stdout, "plan %s: %d created, %d updated, %d unchanged\n", args[0], len(res.Created), len(res.Updated), len(res.Unchanged))
		return nil
	}
}

func (m *Main) setupRosterImport(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	return func(ctx context.Context, args []string) error {
		if err := requireMeeting(*code); err != nil {
			return err
		}
		entries, err := plan.ReadRosterFile(args[0])
		var bad *convene.RosterError
		if err != nil && (!errors.As(err, &bad) || len(entries) == 0) {
			return err
		}
		if err := m.openDB(); err != nil {
			return err
		}
		// With bad rows the import is refused, naming them together with
		// what only the meeting knows (unknown categories).
		res, err := m.services().Plans.ImportRoster(ctx, *code, entries)
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
		fmt.Fprintf(m.Stdout, "roster %s: %d rows, %d new people, %d new invitations, %d unchanged\n",
			filepath.Base(args[0]), res.People, res.NewPeople, res.Invitations, res.Unchanged)
		return nil
	}
}

// linkRow is one invitee's personal link, as `links` prints it.
type linkRow struct {
	FullName string `json:"full_name"`
	Unit     string `json:"unit"`
	Category string `json:"category"`
	Phone    string `json:"phone"`
	Token    string `json:"token"`
	Link     string `json:"link"`
	Linked   bool   `json:"linked"`
	// Role is "unit_rep" for a unit's representative (the unit's link to
	// name its delegates; Unit is the unit), else the invitee's role.
	Role string `json:"role"`
}

func (m *Main) setupLinks(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	format := fs.String("format", "csv", "csv or json")
	units := fs.Bool("units", false, "also list each unit's representative (role unit_rep, the unit's link)")
	return func(ctx context.Context, args []string) error {
		if err := requireMeeting(*code); err != nil {
			return err
		}
		if *format != "csv" && *format != "json" {
			return &usageError{msg: fmt.Sprintf("--format must be csv or json, not %q", *format)}
		}
		b, err := m.newBot(ctx)
		if err != nil {
			return err
		}
		if name, err := b.State.GetState(ctx, "telegram.username"); err != nil {
			return err
		} else if name == "" {
			fmt.Fprintln(m.Stderr, "convene: bot username unknown (run serve once or pass --bot-username): printing bare tokens as links")
		}
		mt, err := b.Meetings.FindMeetingByCode(ctx, *code)
		if err != nil {
			return err
		}
		invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: mt.ID})
		if err != nil {
			return err
		}
		rows := make([]linkRow, len(invs))
		for i, inv := range invs {
			rows[i] = linkRow{FullName: inv.Person.FullName, Unit: inv.Person.Unit, Category: inv.Category.Code,
				Phone: inv.Person.Phone, Token: inv.Token, Link: b.Link(ctx, inv.Token), Linked: inv.Linked(), Role: string(inv.Person.Role)}
		}
		if *units {
			reps, err := repLinkRows(ctx, b, mt)
			if err != nil {
				return err
			}
			rows = append(rows, reps...)
		}
		if *format == "json" {
			enc := json.NewEncoder(m.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rows)
		}
		w := report.NewCSVWriter(m.Stdout)
		_ = w.Write([]string{"full_name", "unit", "category", "phone", "token", "link", "linked", "role"})
		for _, r := range rows {
			_ = w.Write([]string{r.FullName, r.Unit, r.Category, report.PhoneCell(r.Phone), r.Token, r.Link, fmt.Sprint(r.Linked), r.Role})
		}
		w.Flush()
		return w.Error()
	}
}

func (m *Main) setupInvite(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	return func(ctx context.Context, args []string) error {
		b, err := m.meetingBot(ctx, *code)
		if err != nil {
			return err
		}
		res, err := b.IssueInvitations(ctx, *code, "cli", 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %d invitees; %d invitations queued (a running serve sends them); %d not linked yet get theirs when they link\n",
			*code, res.Invitees, res.Queued, res.Unlinked)
		return nil
	}
}

func (m *Main) setupRemind(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	audience := fs.String("audience", "all", "all, attending, pending, declined, checked-in, or key=value filters")
	return func(ctx context.Context, args []string) error {
		b, err := m.meetingBot(ctx, *code)
		if err != nil {
			return err
		}
		d, err := b.RemindNow(ctx, *code, *audience, "cli", 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: reminder queued for %d; %d not reachable (not linked)\n", *code, d.Queued, d.Unlinked)
		return nil
	}
}

func (m *Main) setupBroadcast(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	audience := fs.String("audience", "all", "all, attending, pending, declined, checked-in, or key=value filters (rsvp, attendance, category, unit)")
	return func(ctx context.Context, args []string) error {
		if err := requireMeeting(*code); err != nil {
			return err
		}
		text := strings.TrimSpace(strings.Join(args, " "))
		if text == "" {
			return &usageError{msg: "broadcast needs the TEXT to send"}
		}
		b, err := m.newBot(ctx)
		if err != nil {
			return err
		}
		mt, err := b.Meetings.FindMeetingByCode(ctx, *code)
		if err != nil {
			return err
		}
		f, err := bot.ParseAudience(mt.ID, *audience)
		if err != nil {
			return err
		}
		batch := fmt.Sprintf("bc:%d:cli:%d", mt.ID, m.Now().UnixNano())
		d, err := b.Broadcast(ctx, f, text, batch, "cli", 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: announcement queued for %d; %d not reachable (not linked); batch %s\n", *code, d.Queued, d.Unlinked, batch)
		return nil
	}
}

func (m *Main) setupCheckinLink(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	qr := fs.String("qr", "", "also write the QR code to this file: a PNG, or an A4 poster if it ends in .pdf")
	force := fs.Bool("force", false, "replace an existing QR file")
	return func(ctx context.Context, args []string) error {
		b, err := m.meetingBot(ctx, *code)
		if err != nil {
			return err
		}
		mt, err := b.Meetings.FindMeetingByCode(ctx, *code)
		if err != nil {
			return err
		}
		png, link, err := b.CheckinQR(ctx, mt, 1024)
		if err != nil {
			return err
		}
		switch {
		case strings.EqualFold(filepath.Ext(*qr), ".pdf"):
			// A printable A4 poster for the venue's door.
			w, finish, err := m.output(*qr, *force)
			if err != nil {
				return err
			}
			if err := finish(report.Poster(w, &report.Data{Meeting: mt, Lang: m.Config.Lang}, link)); err != nil {
				return err
			}
		case *qr != "":
			if err := writeNewFile(*qr, png, *force); err != nil {
				return err
			}
		}
		fmt.Fprintln(m.Stdout, link)
		return nil
	}
}

func (m *Main) setupFeedbackOpen(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	return func(ctx context.Context, args []string) error {
		b, err := m.meetingBot(ctx, *code)
		if err != nil {
			return err
		}
		d, err := b.OpenFeedback(ctx, *code, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: feedback requests queued for %d; %d not reachable\n", *code, d.Queued, d.Unlinked)
		return nil
	}
}

// output opens -o FILE (made by createFile: 0600, no symlink followed,
// an existing file only with force), or standard output. finish closes
// it; given the writer's error it removes the half-written file and
// returns that error.
func (m *Main) output(path string, force bool) (w io.Writer, finish func(error) error, err error) {
	if path == "" || path == "-" {
		return m.Stdout, func(err error) error { return err }, nil
	}
	f, err := createFile(path, force)
	if err != nil {
		return nil, nil, err
	}
	return f, func(err error) error {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
		return err
	}, nil
}

func (m *Main) setupReport(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	format := fs.String("format", "md", "md, csv, json, xlsx or pdf")
	out := fs.String("o", "", "output file (default: standard output)")
	force := fs.Bool("force", false, "replace an existing output file")
	return func(ctx context.Context, args []string) error {
		if err := requireMeeting(*code); err != nil {
			return err
		}
		if !report.ValidFormat(*format) {
			return &usageError{msg: fmt.Sprintf("--format must be md, csv, json, xlsx or pdf, not %q", *format)}
		}
		if (*format == "xlsx" || *format == "pdf") && *out == "" {
			return &usageError{msg: "--format " + *format + " needs -o FILE"}
		}
		if err := m.openDB(); err != nil {
			return err
		}
		d, err := m.reportData(ctx, *code, m.Config.Lang)
		if err != nil {
			return err
		}
		w, finish, err := m.output(*out, *force)
		if err != nil {
			return err
		}
		return finish(report.Write(w, d, *format))
	}
}

// setupUnits prints what each unit of a meeting was asked to send and what
// came, per category: Markdown, CSV (the formula-safe writer) or JSON rows
// with unit, category, asked, nominated, linked and attending.
func (m *Main) setupUnits(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	format := fs.String("format", "md", "md, csv or json")
	return func(ctx context.Context, args []string) error {
		if err := requireMeeting(*code); err != nil {
			return err
		}
		if *format != "md" && *format != "csv" && *format != "json" {
			return &usageError{msg: fmt.Sprintf("--format must be md, csv or json, not %q", *format)}
		}
		if err := m.openDB(); err != nil {
			return err
		}
		mt, err := m.services().Meetings.FindMeetingByCode(ctx, *code)
		if err != nil {
			return err
		}
		rows, err := storage.NewUnitService(m.DB).UnitCounts(ctx, mt.ID)
		if err != nil {
			return err
		}
		switch *format {
		case "json":
			return report.UnitsJSON(m.Stdout, rows)
		case "csv":
			return report.UnitsCSV(m.Stdout, rows, false)
		}
		return report.UnitsMarkdown(m.Stdout, m.Config.Lang, rows)
	}
}

func (m *Main) setupLetters(fs *flag.FlagSet) func(context.Context, []string) error {
	code := fs.String("meeting", "", "meeting code")
	out := fs.String("o", "", "output PDF file")
	force := fs.Bool("force", false, "replace an existing output file")
	return func(ctx context.Context, args []string) error {
		if err := requireMeeting(*code); err != nil {
			return err
		}
		if *out == "" {
			return &usageError{msg: "-o FILE.pdf is required"}
		}
		b, err := m.newBot(ctx)
		if err != nil {
			return err
		}
		d, err := m.reportData(ctx, *code, m.Config.Lang)
		if err != nil {
			return err
		}
		// One letter per invitee, then one per unit to its representative.
		if d.UnitList, err = storage.NewUnitService(m.DB).FindUnits(ctx, d.Meeting.ID); err != nil {
			return err
		}
		w, finish, err := m.output(*out, *force)
		if err != nil {
			return err
		}
		if err := finish(report.LettersWithUnits(w, d, func(inv *convene.Invitee) string { return b.Link(ctx, inv.Token) },
			func(u *convene.Unit) string { return b.Link(ctx, u.Token) })); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %d letters written to %s (%d to invitees, %d to units)\n", *code, len(d.Invitees)+len(d.UnitList), *out,
			len(d.Invitees), len(d.UnitList))
		return nil
	}
}

func (m *Main) setupBackup(fs *flag.FlagSet) func(context.Context, []string) error {
	force := fs.Bool("force", false, "replace an existing backup file")
	return func(ctx context.Context, args []string) error {
		if err := m.openDB(); err != nil {
			return err
		}
		path := args[0]
		// VACUUM INTO fills an existing empty file, keeping its mode.
		f, err := createFile(path, *force)
		if err != nil {
			return err
		}
		err = m.DB.Backup(ctx, path)
		if err == nil {
			err = sameFile(f, path)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return err
		}
		fmt.Fprintf(m.Stdout, "backup written to %s\n", path)
		return nil
	}
}

// sameFile checks that path still names the file f created, so nothing
// swapped a link in between creating it and SQLite writing to it.
func sameFile(f *os.File, path string) error {
	a, err := f.Stat()
	if err != nil {
		return err
	}
	b, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !os.SameFile(a, b) {
		return convene.Errorf(convene.ECONFLICT, "%s was replaced while the backup was written", path)
	}
	return nil
}

// setupHealthcheck asks a running serve's /healthz (for container health checks).
func (m *Main) setupHealthcheck(fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		addr := m.Config.HTTP
		if addr == "" {
			return &usageError{msg: "--http (CONVENE_HTTP) is not set"}
		}
		if strings.HasPrefix(addr, ":") {
			addr = "127.0.0.1" + addr
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		fmt.Fprint(m.Stdout, string(body))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("unhealthy: %s", resp.Status)
		}
		return nil
	}
}

// repLinkRows are the link rows of the meeting's unit representatives.
func repLinkRows(ctx context.Context, b *bot.Bot, mt *convene.Meeting) ([]linkRow, error) {
	units, err := b.Units.FindUnits(ctx, mt.ID)
	if err != nil {
		return nil, err
	}
	rows := make([]linkRow, 0, len(units))
	for _, u := range units {
		accs, err := b.People.FindAccountsByPerson(ctx, u.RepPersonID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, linkRow{FullName: u.Rep.FullName, Unit: u.Name, Phone: u.Rep.Phone, Token: u.Token,
			Link: b.Link(ctx, u.Token), Linked: len(accs) > 0, Role: string(convene.RoleUnitRep)})
	}
	return rows, nil
}

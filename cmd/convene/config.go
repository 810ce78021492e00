package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is the program's configuration: each field has a flag and an
// environment variable, as README.md's table lists.
type Config struct {
	DB            string
	TelegramToken string
	TelegramAPI   string
	ZaloToken     string
	ZaloAPI       string
	Admins        string
	TZ            string
	Lang          string
	SendRate      float64
	HTTP          string
	PublicURL     string
	WebhookSecret string
	WebURL        string
	MetricsToken  string
	BotUsername   string
	LogLevel      string
	CheckinOpens  time.Duration
	LateAfter     time.Duration
}

// option is one configuration entry: flag name, environment variable, default, help.
type option struct {
	flag, env, def, help string
	set                  func(c *Config, v string) error
}

func str(p func(c *Config) *string) func(c *Config, v string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func duration(p func(c *Config) *time.Duration) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration like 60m or 1h30m", v)
		}
		*p(c) = d
		return nil
	}
}

var options = []option{
	{"db", "CONVENE_DB", "./convene.db", "SQLite database file", str(func(c *Config) *string { return &c.DB })},
	{"telegram-token", "TELEGRAM_BOT_TOKEN", "", "Telegram bot token (none: Telegram off)", str(func(c *Config) *string { return &c.TelegramToken })},
	{"telegram-api", "TELEGRAM_API_URL", "https://api.telegram.org", "Telegram Bot API base URL", str(func(c *Config) *string { return &c.TelegramAPI })},
	{"zalo-token", "ZALO_BOT_TOKEN", "", "Zalo bot token (none: Zalo off)", str(func(c *Config) *string { return &c.ZaloToken })},
	{"zalo-api", "ZALO_API_URL", "https://bot-api.zaloplatforms.com", "Zalo Bot API base URL", str(func(c *Config) *string { return &c.ZaloAPI })},
	{"admins", "CONVENE_ADMINS", "", "admins: comma-separated telegram:<id> or bare Telegram ids", str(func(c *Config) *string { return &c.Admins })},
	{"tz", "CONVENE_TZ", "Asia/Ho_Chi_Minh", "default time zone of plans", func(c *Config, v string) error {
		if _, err := time.LoadLocation(v); err != nil {
			return fmt.Errorf("unknown time zone %q", v)
		}
		c.TZ = v
		return nil
	}},
	{"lang", "CONVENE_LANG", "vi", "default language: vi or en", func(c *Config, v string) error {
		if v != "vi" && v != "en" {
			return fmt.Errorf("language must be vi or en, not %q", v)
		}
		c.Lang = v
		return nil
	}},
	{"send-rate", "CONVENE_SEND_RATE", "25", "messages per second, whole bot", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1000 {
			return fmt.Errorf("send rate must be a number from 0 to 1000, not %q", v)
		}
		c.SendRate = f
		return nil
	}},
	{"http", "CONVENE_HTTP", "", "address for /healthz, /metrics and webhooks, e.g. :8080 (off if empty)", str(func(c *Config) *string { return &c.HTTP })},
	{"public-url", "CONVENE_PUBLIC_URL", "", "public https URL of --http; when set, webhooks replace long polling", str(func(c *Config) *string { return &c.PublicURL })},
	{"webhook-secret", "CONVENE_WEBHOOK_SECRET", "", "secret the channels send with webhook calls (generated if empty)", str(func(c *Config) *string { return &c.WebhookSecret })},
	{"web-url", "CONVENE_WEB_URL", "", "address of the web desk in /web sign-in links (default: --public-url, else http://<--http>)", str(func(c *Config) *string { return &c.WebURL })},
	{"metrics-token", "CONVENE_METRICS_TOKEN", "", "bearer token that opens /metrics to other hosts (else loopback only)", str(func(c *Config) *string { return &c.MetricsToken })},
	{"bot-username", "CONVENE_BOT_USERNAME", "", "Telegram bot username for links (serve stores it from getMe)", str(func(c *Config) *string { return &c.BotUsername })},
	{"log-level", "CONVENE_LOG_LEVEL", "info", "debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel })},
	{"checkin-opens", "CONVENE_CHECKIN_OPENS", "60m", "how long before the start the venue QR code checks people in", duration(func(c *Config) *time.Duration { return &c.CheckinOpens })},
	{"late-after", "CONVENE_LATE_AFTER", "15m", "how long after the start a check-in counts as late", duration(func(c *Config) *time.Duration { return &c.LateAfter })},
}

// flagValue adapts an option to flag.Value.
type flagValue struct {
	c   *Config
	opt option
	cur *string
}

// secretFlags are never shown, not even as a flag's default in the usage
// text (which the environment sets).
var secretFlags = map[string]bool{"telegram-token": true, "zalo-token": true, "webhook-secret": true, "metrics-token": true}

func (f *flagValue) String() string {
	if f.cur == nil || secretFlags[f.opt.flag] {
		return ""
	}
	return *f.cur
}

func (f *flagValue) Set(v string) error {
	if err := f.opt.set(f.c, v); err != nil {
		return err
	}
	*f.cur = v
	return nil
}

// register adds every configuration flag to fs, first applying defaults
// and then the environment, so flags given on the command line win.
func (c *Config) register(fs *flag.FlagSet, getenv func(string) string) error {
	for _, o := range options {
		v := o.def
		if e := strings.TrimSpace(getenv(o.env)); e != "" {
			v = e
		}
		if err := o.set(c, v); err != nil {
			return fmt.Errorf("%s: %w", o.env, err)
		}
		cur := v
		fs.Var(&flagValue{c: c, opt: o, cur: &cur}, o.flag, fmt.Sprintf("%s (env %s)", o.help, o.env))
	}
	return nil
}

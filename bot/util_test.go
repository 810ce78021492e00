package bot_test

import (
	"strconv"

	"github.com/convene/convene/bot"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// bot_Incoming builds a raw update for tests that call Handle directly.
type bot_Incoming bot.Incoming

func (b *bot_Incoming) incoming() *bot.Incoming { in := bot.Incoming(*b); return &in }

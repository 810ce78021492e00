package convene

import (
	"strings"
	"time"
)

// Program is a meeting's program (chương trình): who chairs it (dẫn
// chương trình) and its items in order.
type Program struct {
	Chair string        `json:"chair,omitempty"`
	Items []ProgramItem `json:"items,omitempty"`
}

// ProgramItem is one item of a meeting's program.
type ProgramItem struct {
	At        time.Time `json:"at"` // UTC
	Title     string    `json:"title"`
	Presenter string    `json:"presenter,omitempty"`
}

// Validate returns EINVALID for an item without a time or a title.
func (p *ProgramItem) Validate() error {
	switch {
	case p.At.IsZero():
		return Errorf(EINVALID, "program item %q: time required", p.Title)
	case strings.TrimSpace(p.Title) == "":
		return Errorf(EINVALID, "program item: title required")
	}
	return nil
}

// Validate returns EINVALID for a bad item or items out of time order.
func (p *Program) Validate() error {
	for i := range p.Items {
		if err := p.Items[i].Validate(); err != nil {
			return err
		}
		if i > 0 && p.Items[i].At.Before(p.Items[i-1].At) {
			return Errorf(EINVALID, "program item %q: before the item above it", p.Items[i].Title)
		}
	}
	return nil
}

// Empty reports whether the program has neither chair nor items.
func (p *Program) Empty() bool { return p.Chair == "" && len(p.Items) == 0 }

// Equal reports whether two programs are the same.
func (p Program) Equal(q Program) bool {
	if p.Chair != q.Chair || len(p.Items) != len(q.Items) {
		return false
	}
	for i := range p.Items {
		a, b := p.Items[i], q.Items[i]
		if !a.At.Equal(b.At) || a.Title != b.Title || a.Presenter != b.Presenter {
			return false
		}
	}
	return true
}

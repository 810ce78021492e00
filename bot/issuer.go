package bot

import (
	"context"

	"github.com/convene/convene"
)

// Texts name the office and the board ({{.Office}}, {{.Board}}) as the plan
// of the meeting they are about names them. A request starts with the
// organization's names, those of the latest meeting, and takes a meeting's
// own once a handler has loaded it (Request.about); texts to other people
// take theirs from issuerData.

// about makes the rest of the request's texts name m's office and board.
func (r *Request) about(m *convene.Meeting) {
	if m != nil {
		r.issuer = m.Issuer
	}
}

// orgIssuer returns the issuer of the meeting that starts last: the
// organization's names where no meeting is at hand. With no meeting, or if
// the meetings can't be read, it is empty and the catalog's defaults apply.
func (b *core) orgIssuer(ctx context.Context) convene.Issuer {
	ms, err := b.Meetings.FindMeetings(ctx, convene.MeetingFilter{})
	if err != nil || len(ms) == 0 {
		return convene.Issuer{}
	}
	return ms[len(ms)-1].Issuer
}

// issuerData returns data with Office and Board set from is where data does
// not set them; data may be nil.
func issuerData(is convene.Issuer, data map[string]any) map[string]any {
	out := make(map[string]any, len(data)+2)
	out["Office"], out["Board"] = is.OfficeName(), is.BoardName()
	for k, v := range data {
		out[k] = v
	}
	return out
}

package report

// MinResponders is the fewest feedback responders a unit or category must
// have before an anonymous meeting's report shows how many of its people
// answered.
const MinResponders = 3

// hideFewResponders applies the anonymity rule to the groups of an
// anonymous meeting: a group (unit or category) with fewer than
// MinResponders responders, none included, keeps its attendance counts but
// has its feedback_responses and response_rate zeroed and
// responses_hidden set; those groups are merged into one returned group,
// "other units (fewer than 3 responders each)", whose count is their sum.
// That sum is always derivable from the total (which the report shows), so
// it tells nothing more; what stays hidden is which small group the
// responders are in, so no count points at a unit with one or two people
// who answered. It returns nil when no group is hidden.
func hideFewResponders(groups []Group, key, name string) *Group {
	var other *Group
	for i := range groups {
		g := &groups[i]
		if g.Responses >= MinResponders {
			continue
		}
		if other == nil {
			other = &Group{Key: key, Name: name}
		}
		other.merge(g)
		g.Responses, g.ResponseRate, g.ResponsesHidden = 0, 0, true
	}
	if other != nil {
		other.rate()
	}
	return other
}

// merge adds g's counts to o.
func (o *Group) merge(g *Group) {
	o.Invited += g.Invited
	o.Linked += g.Linked
	o.Attending += g.Attending
	o.Declined += g.Declined
	o.Substitute += g.Substitute
	o.Pending += g.Pending
	o.Present += g.Present
	o.Late += g.Late
	o.Excused += g.Excused
	o.Absent += g.Absent
	o.Responses += g.Responses
}

// ResponseRows are the rows of the response-rate-by-unit table: every unit,
// or in an anonymous meeting the units with at least MinResponders
// responders and then one line for all the others.
func (s *Summary) ResponseRows() []Group {
	var out []Group
	for _, g := range s.ByUnit {
		if !g.ResponsesHidden {
			out = append(out, g)
		}
	}
	if s.OtherUnits != nil {
		out = append(out, *s.OtherUnits)
	}
	return out
}

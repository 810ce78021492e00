package convene

// Category is an attendee category ("thành phần tham dự") of a meeting.
type Category struct {
	ID        int64
	MeetingID int64
	Code      string
	Name      string
	// Quota is how many delegates each unit may send in this category; 0: no limit.
	Quota    int
	Position int
	// Guests marks a category of guests (the press, say): invited, reminded
	// and checked in like anyone, but not asked for feedback and not counted
	// in the delegates' attendance rate.
	Guests bool
}

// Validate returns EINVALID if the category lacks a slug code or a name, or has a negative quota.
func (c *Category) Validate() error {
	switch {
	case !ValidSlug(c.Code):
		return Errorf(EINVALID, "category code %q must be a slug", c.Code)
	case c.Name == "":
		return Errorf(EINVALID, "category %s: name required", c.Code)
	case c.Quota < 0:
		return Errorf(EINVALID, "category %s: quota must not be negative", c.Code)
	}
	return nil
}

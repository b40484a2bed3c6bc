package usage

import (
	"sync/atomic"
	"time"
)

// dayText is one UTC day's text, for the Unix seconds [start, end).
type dayText struct {
	start, end int64
	text       string
}

// lastDay is the day dayOf formatted last.
var lastDay atomic.Pointer[dayText]

// dayOf is the UTC day of at (a UTC time) as key_usages.day writes it.
// Record runs on every request: the day's text is made once a day, not once
// per request.
func dayOf(at time.Time) string {
	sec := at.Unix()
	if d := lastDay.Load(); d != nil && sec >= d.start && sec < d.end {
		return d.text
	}
	y, m, dd := at.Date()
	start := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	d := &dayText{start: start.Unix(), end: start.AddDate(0, 0, 1).Unix(), text: at.Format(dayFormat)}
	lastDay.Store(d)
	return d.text
}

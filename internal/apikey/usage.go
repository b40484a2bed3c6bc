package apikey

import (
	"context"

	"businesstools/ent/keyusage"
	"businesstools/internal/apperr"
)

// UsagePoint is one day's request count.
type UsagePoint struct {
	Day   string
	Count int
}

// DayFormat is how KeyUsage.day is written: the UTC date.
const DayFormat = "2006-01-02"

// Usage returns requests per UTC day for the last days days (1 … 90),
// oldest first, with zero for days without requests. Errors: NotFound, Invalid.
func (s *Service) Usage(ctx context.Context, id, days int) ([]UsagePoint, error) {
	if days < 1 || days > 90 {
		return nil, apperr.Invalidf("days", "days must be between 1 and 90.")
	}
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	today := s.cfg.Now().UTC()
	first := today.AddDate(0, 0, -(days - 1)).Format(DayFormat)
	rows, err := s.cfg.Client.KeyUsage.Query().
		Where(keyusage.APIKeyID(id), keyusage.DayGTE(first)).All(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "usage")
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.Day] += r.Count
	}
	out := make([]UsagePoint, days)
	for i := range out {
		day := today.AddDate(0, 0, i-(days-1)).Format(DayFormat)
		out[i] = UsagePoint{Day: day, Count: int(counts[day])}
	}
	return out, nil
}

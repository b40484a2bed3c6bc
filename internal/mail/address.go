package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"

	"businesstools/internal/apperr"
)

// MaxRecipients bounds to + cc + bcc of one message.
const MaxRecipients = 50

// CheckAddress parses one address ("a@example.com" or "Ann <a@example.com>")
// and returns it in canonical form. The domain must contain a dot.
func CheckAddress(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 320 || strings.ContainsAny(s, "\r\n") {
		return "", false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at < 1 || !strings.Contains(a.Address[at+1:], ".") || strings.HasSuffix(a.Address, ".") {
		return "", false
	}
	if a.Name == "" {
		return a.Address, true
	}
	return a.String(), true
}

// Recipients are a message's addressees.
type Recipients struct {
	To, Cc, Bcc []string
	ReplyTo     string
}

// Check validates and canonicalizes r in place: at least one "to", at most
// MaxRecipients in all, each a valid address. Errors are Invalid ("to"
// missing) or Unprocessable naming the address's field, e.g. "cc[2]".
func (r *Recipients) Check() error {
	if len(r.To) == 0 {
		return apperr.Invalidf("to", "At least one recipient is required in \"to\".")
	}
	if n := len(r.To) + len(r.Cc) + len(r.Bcc); n > MaxRecipients {
		return &apperr.Error{Code: apperr.Unprocessable, Field: "to",
			Message: fmt.Sprintf("A message may have at most %d recipients (to, cc and bcc together); this one has %d.", MaxRecipients, n)}
	}
	for _, list := range []struct {
		name string
		v    []string
	}{{"to", r.To}, {"cc", r.Cc}, {"bcc", r.Bcc}} {
		for i, s := range list.v {
			a, ok := CheckAddress(s)
			if !ok {
				return &apperr.Error{Code: apperr.Unprocessable, Field: fmt.Sprintf("%s[%d]", list.name, i),
					Message: fmt.Sprintf("%q is not a valid email address.", s)}
			}
			list.v[i] = a
		}
	}
	if r.ReplyTo != "" {
		a, ok := CheckAddress(r.ReplyTo)
		if !ok {
			return &apperr.Error{Code: apperr.Unprocessable, Field: "reply_to",
				Message: fmt.Sprintf("%q is not a valid email address.", r.ReplyTo)}
		}
		r.ReplyTo = a
	}
	return nil
}

package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"businesstools/ent"
)

// Sender delivers one message. Name is recorded as the email's sink.
type Sender interface {
	Name() string
	Send(ctx context.Context, e *ent.Email) error
}

// CaptureSender is the sink used without BT_SMTP_URL: the outbox row is the
// captured message, so delivering it only marks it sent (sink "capture").
type CaptureSender struct{}

// Name is "capture".
func (CaptureSender) Name() string { return "capture" }

// Send does nothing: the message is already stored.
func (CaptureSender) Send(context.Context, *ent.Email) error { return nil }

// SMTPSender relays through one SMTP server.
type SMTPSender struct {
	host, user, pass string
	port             int
	auth             gomail.SMTPAuthType
	implicitTLS      bool
	timeout          time.Duration
}

// NewSMTPSender parses smtp://[user:pass@]host[:port] (STARTTLS when the
// server offers it, port 587 by default) or smtps://… (implicit TLS, port
// 465). With a user, the mechanism is discovered (never PLAIN or LOGIN over
// an unencrypted connection) unless `?auth=plain|login|cram-md5|scram-sha-256…`
// names one. Errors never contain the password.
func NewSMTPSender(rawURL string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("BT_SMTP_URL is not a valid URL")
	}
	s := &SMTPSender{host: u.Hostname(), timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicitTLS = 465, true
	default:
		return nil, errors.New("BT_SMTP_URL must start with smtp:// or smtps://")
	}
	if s.host == "" {
		return nil, errors.New("BT_SMTP_URL has no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, errors.New("BT_SMTP_URL has an invalid port")
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		s.auth = gomail.SMTPAuthAutoDiscover
	}
	if a := u.Query().Get("auth"); a != "" {
		if err := s.auth.UnmarshalString(a); err != nil || s.auth == gomail.SMTPAuthCustom {
			return nil, errors.New("BT_SMTP_URL has an unknown auth mechanism")
		}
	}
	return s, nil
}

// Name is "smtp".
func (s *SMTPSender) Name() string { return "smtp" }

// String describes the relay without its password (for logs).
func (s *SMTPSender) String() string {
	scheme := "smtp"
	if s.implicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: fmt.Sprintf("%s:%d", s.host, s.port)}
	if s.user != "" {
		u.User = url.User(s.user)
	}
	return u.String()
}

// Send delivers e over one SMTP connection.
func (s *SMTPSender) Send(ctx context.Context, e *ent.Email) error {
	m := gomail.NewMsg()
	if err := m.From(e.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := m.To(e.To...); err != nil {
		return fmt.Errorf("to addresses: %w", err)
	}
	if len(e.Cc) > 0 {
		if err := m.Cc(e.Cc...); err != nil {
			return fmt.Errorf("cc addresses: %w", err)
		}
	}
	if len(e.Bcc) > 0 {
		if err := m.Bcc(e.Bcc...); err != nil {
			return fmt.Errorf("bcc addresses: %w", err)
		}
	}
	if e.ReplyTo != "" {
		if err := m.ReplyTo(e.ReplyTo); err != nil {
			return fmt.Errorf("reply-to address: %w", err)
		}
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(fmt.Sprintf("businesstools.%d@%s", e.ID, domainOf(e.From)))
	m.SetDate()
	switch {
	case e.Text != "" && e.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	case e.HTML != "":
		m.SetBodyString(gomail.TypeTextHTML, e.HTML)
	default:
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
	}
	opts := []gomail.Option{gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	if s.implicitTLS {
		opts = []gomail.Option{gomail.WithSSL()}
	}
	opts = append(opts, gomail.WithPort(s.port), gomail.WithTimeout(s.timeout))
	if s.user != "" && s.auth != gomail.SMTPAuthNoAuth {
		opts = append(opts, gomail.WithSMTPAuth(s.auth),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, m)
}

func domainOf(addr string) string {
	addr = strings.TrimRight(addr, "> ")
	if at := strings.LastIndexByte(addr, '@'); at >= 0 && at < len(addr)-1 {
		return addr[at+1:]
	}
	return "localhost"
}

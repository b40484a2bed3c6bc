// Package mailtest runs a real SMTP server in-process (emersion/go-smtp) for
// tests: it records what it receives, can refuse the first deliveries with
// a temporary error, and parses received messages into subject and parts.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string // envelope recipients (to, cc and bcc)
	Data []byte
}

// Server is a running SMTP server.
type Server struct {
	Addr string // host:port
	URL  string // smtp://host:port, for BT_SMTP_URL

	srv      *smtp.Server
	mu       sync.Mutex
	received []Received
	failLeft int
	tries    int
	user     string
	pass     string
	notify   chan struct{}
	stall    chan struct{} // non-nil: MAIL FROM waits until it is closed
	stalled  int
}

// Option configures a Server.
type Option func(*Server)

// FailFirst makes the server answer the first n DATA commands with a
// temporary failure (451).
func FailFirst(n int) Option { return func(s *Server) { s.failLeft = n } }

// RequireAuth makes the server require AUTH PLAIN with user and pass.
func RequireAuth(user, pass string) Option { return func(s *Server) { s.user, s.pass = user, pass } }

// Stall makes the server a relay that hangs: every MAIL FROM waits until
// the server stops (Stalled counts the waiting sessions).
func Stall() Option { return func(s *Server) { s.stall = make(chan struct{}) } }

// Start runs a server on a free loopback port until tb ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{notify: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtp listen: %v", err)
	}
	s.Addr = l.Addr().String()
	s.URL = "smtp://" + s.Addr
	if s.user != "" {
		s.URL = "smtp://" + s.user + ":" + s.pass + "@" + s.Addr + "?auth=plain" // no TLS here: name the mechanism
	}
	go func() { _ = s.srv.Serve(l) }()
	tb.Cleanup(func() {
		if s.stall != nil {
			close(s.stall)
		}
		_ = s.srv.Close()
	})
	return s
}

// Received returns the messages accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Stalled returns how many sessions wait at MAIL FROM (see Stall).
func (s *Server) Stalled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stalled
}

// Tries returns how many DATA commands the server saw (accepted or refused).
func (s *Server) Tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries
}

// WaitFor waits until n messages were accepted or timeout passes, and
// returns what was received.
func (s *Server) WaitFor(n int, timeout time.Duration) []Received {
	deadline := time.After(timeout)
	for {
		if r := s.Received(); len(r) >= n {
			return r
		}
		select {
		case <-s.notify:
		case <-deadline:
			return s.Received()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != x.s.user || password != x.s.pass {
			return smtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	if x.s.stall != nil {
		x.s.mu.Lock()
		x.s.stalled++
		x.s.mu.Unlock()
		<-x.s.stall
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Shutting down"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.tries++
	if x.s.failLeft > 0 {
		x.s.failLeft--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	x.s.received = append(x.s.received, Received{From: x.from, To: append([]string(nil), x.to...), Data: data})
	select {
	case x.s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// Message is a received message, parsed.
type Message struct {
	Header mail.Header
	// Subject is decoded (RFC 2047).
	Subject string
	Text    string
	HTML    string
}

// Parse reads a received message: its headers, subject and text/html parts.
func Parse(data []byte) (Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Message{}, err
	}
	out := Message{Header: m.Header}
	dec := new(mime.WordDecoder)
	if out.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		return Message{}, err
	}
	err = readPart(&out, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return out, err
}

func readPart(out *Message, contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readPart(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64Reader(body)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	switch mt {
	case "text/html":
		out.HTML = text
	case "text/plain":
		out.Text = text
	}
	return nil
}

func base64Reader(r io.Reader) io.Reader {
	raw, err := io.ReadAll(r)
	if err != nil {
		return bytes.NewReader(nil)
	}
	clean := strings.Map(func(c rune) rune {
		if c == '\r' || c == '\n' || c == ' ' {
			return -1
		}
		return c
	}, string(raw))
	b, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return bytes.NewReader(raw)
	}
	return bytes.NewReader(b)
}

package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"businesstools/ent"
	"businesstools/internal/apperr"
	"businesstools/internal/mail"
	"businesstools/internal/templates"
	"businesstools/internal/text"
)

// sendEmailRequest is POST /v1/emails's body: subject with html and/or
// text, or template_id with variables.
type sendEmailRequest struct {
	To         []string       `json:"to"`
	Cc         []string       `json:"cc"`
	Bcc        []string       `json:"bcc"`
	ReplyTo    string         `json:"reply_to"`
	Subject    *string        `json:"subject"`
	HTML       *string        `json:"html"`
	Text       *string        `json:"text"`
	TemplateID *int           `json:"template_id"`
	Variables  map[string]any `json:"variables"`
}

// emailView is an email as the API shows it.
type emailView struct {
	ID         int        `json:"id"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  *string    `json:"last_error"`
	From       string     `json:"from"`
	To         []string   `json:"to"`
	Cc         []string   `json:"cc"`
	Bcc        []string   `json:"bcc"`
	ReplyTo    *string    `json:"reply_to"`
	Subject    string     `json:"subject"`
	TemplateID *int       `json:"template_id"`
	Sink       *string    `json:"sink"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at"`
}

func viewEmail(e *ent.Email) emailView {
	v := emailView{ID: e.ID, Status: string(e.Status), Attempts: e.Attempts, LastError: nilIfEmpty(e.LastError),
		From: e.From, To: e.To, Cc: orEmpty(e.Cc), Bcc: orEmpty(e.Bcc), ReplyTo: nilIfEmpty(e.ReplyTo),
		Subject: e.Subject, TemplateID: e.TemplateID, Sink: nilIfEmpty(e.Sink),
		CreatedAt: apiTime(e.CreatedAt), SentAt: timeOrNil(e.SentAt)}
	if v.To == nil {
		v.To = []string{}
	}
	return v
}

// sendEmail queues an email in the outbox: 202 with the email and its Location.
func (a *API) sendEmail(w http.ResponseWriter, r *http.Request) error {
	return a.create(w, r, a.prepareEmail, a.cfg.MailNotify)
}

// prepareEmail decodes, checks and renders the email before the
// transaction; only the outbox write runs inside it.
func (a *API) prepareEmail(ctx context.Context, raw []byte) (writeFunc, error) {
	var in sendEmailRequest
	if err := decodeBody(raw, &in); err != nil {
		return nil, err
	}
	content, templateID, err := emailContent(ctx, a.cfg.DB.Client, &in)
	if err != nil {
		return nil, err
	}
	rc := mail.Recipients{To: in.To, Cc: in.Cc, Bcc: in.Bcc, ReplyTo: in.ReplyTo}
	if err := rc.Check(); err != nil {
		return nil, err
	}
	p := PrincipalFrom(ctx)
	m := mail.Message{AccountID: p.AccountID, APIKeyID: p.KeyID, From: a.cfg.MailFrom,
		Recipients: rc, Subject: content.Subject, HTML: content.HTML, Text: content.Text, TemplateID: templateID}
	return func(ctx context.Context, tx *ent.Tx) (created, error) {
		e, err := mail.Enqueue(ctx, tx.Client(), m)
		if err != nil {
			return created{}, err
		}
		return created{status: http.StatusAccepted, body: viewEmail(e), location: "/v1/emails/" + strconv.Itoa(e.ID)}, nil
	}, nil
}

// emailContent checks that the request has either inline content or a
// template, and renders the template with the variables.
func emailContent(ctx context.Context, c *ent.Client, in *sendEmailRequest) (templates.Content, int, error) {
	if in.TemplateID == nil {
		switch {
		case in.Variables != nil:
			return templates.Content{}, 0, apperr.Invalidf("variables", "variables go with a template_id.")
		case in.HTML == nil && in.Text == nil:
			return templates.Content{}, 0, apperr.Invalidf("html", "Send html and/or text with a subject, or a template_id.")
		case in.Subject == nil || *in.Subject == "":
			return templates.Content{}, 0, apperr.Invalidf("subject", "The subject is required unless a template_id is given.")
		}
		content := templates.Content{Subject: *in.Subject, HTML: deref(in.HTML), Text: deref(in.Text)}
		switch {
		case content.HTML == "" && content.Text == "":
			return templates.Content{}, 0, apperr.Invalidf("html", "The message has no content: html and text are empty.")
		case text.Len(content.Subject) > templates.MaxSubjectLen || containsNewline(content.Subject):
			return templates.Content{}, 0, apperr.Invalidf("subject", "The subject must be a single line of at most %d characters.", templates.MaxSubjectLen)
		}
		return content, 0, nil
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"html", in.HTML != nil}, {"text", in.Text != nil}, {"subject", in.Subject != nil}} {
		if f.set {
			return templates.Content{}, 0, apperr.Invalidf("template_id",
				"Send either template_id (with variables) or %s, not both.", f.name)
		}
	}
	t, err := c.Template.Get(ctx, *in.TemplateID)
	if ent.IsNotFound(err) {
		return templates.Content{}, 0, &apperr.Error{Code: apperr.NotFound, Field: "template_id",
			Message: "There is no template with id " + strconv.Itoa(*in.TemplateID) + "."}
	}
	if err != nil {
		return templates.Content{}, 0, apperr.Internalf(err, "get template")
	}
	content, err := templates.Render(templates.Content{Subject: t.Subject, HTML: t.HTML, Text: t.Text}, in.Variables)
	return content, t.ID, err
}

// getEmail answers an email's delivery status.
func (a *API) getEmail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "email")
	if err != nil {
		return err
	}
	e, err := mail.Get(r.Context(), a.cfg.DB.Client, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewEmail(e))
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' {
			return true
		}
	}
	return false
}

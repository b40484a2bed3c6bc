package leaks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	keys "businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/notify"
	"businesstools/internal/rest"
	"businesstools/internal/text"
)

// TokenType is the secret type businesstools registers with GitHub's
// secret scanning: reports of any other type are false positives.
const TokenType = "businesstools_api_key"

// Labels of a report's answer.
const (
	TruePositive  = "true_positive"
	FalsePositive = "false_positive"
)

// MaxBodyBytes bounds both endpoints' bodies (413 beyond), as on all of /v1.
const MaxBodyBytes = rest.MaxBodyBytes

// Limits of a report item's fields, in characters (DESIGN.md section 7).
// GitHub's partner program sends {token, type, url, source}: the secret its
// pattern matched, our type name, a link to where it was found and the kind
// of place ("content", "commit", "issue_comment"). An item beyond them is
// not GitHub's, and its whole report is refused (400) before any work.
const (
	// MaxReportTokenLen is MaxCredentialLen, as for public revocation. A
	// key is keys.Len (52) characters; the slack keeps a match a little
	// longer (a format or pattern that grew) answered false_positive,
	// rather than refusing the report — and the true positives in it.
	MaxReportTokenLen = MaxCredentialLen
	// MaxReportTypeLen and MaxReportSourceLen bound short identifiers
	// ("businesstools_api_key", "pull_request_comment").
	MaxReportTypeLen   = 100
	MaxReportSourceLen = 100
	// MaxReportURLLen is what the LEAKED audit detail and the admins'
	// email keep of a URL (notify.MaxURLLen): an accepted URL is kept
	// whole, never clipped. A link to a file at a commit is a few hundred
	// characters; 2000 leaves room for deep paths.
	MaxReportURLLen = notify.MaxURLLen
)

// ReportedToken is one element of a secret scanning report.
type ReportedToken struct {
	Token  string `json:"token"`
	Type   string `json:"type"`
	URL    string `json:"url"`
	Source string `json:"source"`
}

// TokenLabel is one element of the answer, in the order of the report.
type TokenLabel struct {
	TokenHash string `json:"token_hash"`
	TokenType string `json:"token_type"`
	Label     string `json:"label"`
}

// secretScanning is POST /v1/secret-scanning: the raw body is read (413
// over MaxBodyBytes) and its signature verified (401) before it is parsed
// (400), so an unsigned request changes nothing and costs no database work.
func (s *Service) secretScanning(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if err := s.keyring.verify(body, r.Header.Get(HeaderKeyID), r.Header.Get(HeaderSignature)); err != nil {
		// Not rest.WriteError: its 401 asks for a Bearer key, which would not help.
		rest.WriteProblem(w, rest.Problem{Type: rest.ProblemTypeBase + string(apperr.Unauthenticated),
			Title: http.StatusText(http.StatusUnauthorized), Status: http.StatusUnauthorized, Instance: r.URL.Path,
			Detail: "The report must be signed (" + HeaderKeyID + ", " + HeaderSignature +
				") with a key of BT_SECRET_SCANNING_KEYS, over the exact body."})
		return nil
	}
	tokens, err := decodeReport(body)
	if err != nil {
		return err
	}
	reports, answer := s.classify(tokens, r)
	matches, err := s.lookup(r.Context(), hashes(reports))
	if err != nil {
		return err
	}
	for _, r := range reports {
		if _, ok := matches[string(r.hash)]; ok {
			answer[r.index].Label = TruePositive
		}
	}
	// A true positive we failed to act on must not be answered as handled:
	// 500 makes GitHub send the report again, and that is safe — a key
	// already handled is a replay, which changes nothing.
	if _, err := s.actAll(r.Context(), plain(reports), matches); err != nil {
		return err
	}
	rest.WriteJSON(w, http.StatusOK, answer)
	return nil
}

// indexedReport is a report and its position in the answer.
type indexedReport struct {
	report
	index int
}

// classify labels every token false_positive to begin with and keeps, as
// reports, those of our type and format (checksum included).
func (s *Service) classify(tokens []ReportedToken, r *http.Request) ([]indexedReport, []TokenLabel) {
	answer := make([]TokenLabel, len(tokens))
	var reports []indexedReport
	for i, t := range tokens {
		sum := sha256.Sum256([]byte(t.Token))
		answer[i] = TokenLabel{TokenHash: hex.EncodeToString(sum[:]), TokenType: TokenType, Label: FalsePositive}
		if t.Type != TokenType || keys.Parse(t.Token) != nil {
			continue
		}
		reports = append(reports, indexedReport{index: i, report: report{kind: notify.Leaked, hash: sum[:],
			masked: keys.Mask(keys.Start(t.Token), keys.End(t.Token)), url: t.URL, source: t.Source, ip: s.cfg.ClientIP(r)}})
	}
	return reports, answer
}

func hashes(rs []indexedReport) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = r.hash
	}
	return out
}

func plain(rs []indexedReport) []report {
	out := make([]report, len(rs))
	for i, r := range rs {
		out[i] = r.report
	}
	return out
}

// decodeReport parses a report: a JSON array of objects, every string of it
// valid text — rest.DecodeJSON refuses invalid UTF-8, NUL and lone
// surrogates (which json.Unmarshal would quietly turn into U+FFFD) naming
// the field, "[2].url" — and every item within checkItem's limits. Items
// are decoded one by one, leniently: fields besides token, type, url and
// source are ignored — GitHub may add some. One bad item refuses the whole
// report, before anything is looked up.
func decodeReport(body []byte) ([]ReportedToken, error) {
	var items []json.RawMessage
	if err := rest.DecodeJSON(bytes.NewReader(body), &items); err != nil {
		return nil, err
	}
	tokens := make([]ReportedToken, len(items))
	for i, raw := range items {
		if err := json.Unmarshal(raw, &tokens[i]); err != nil {
			return nil, itemError(i, err)
		}
		if err := checkItem(i, tokens[i]); err != nil {
			return nil, err
		}
	}
	return tokens, nil
}

// itemError names what is wrong with item i, which is valid JSON of the
// wrong shape.
func itemError(i int, err error) error {
	field := fmt.Sprintf("[%d]", i)
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		field += "." + typ.Field
		return apperr.Invalidf(field, "The field %q must be a %s.", field, typ.Type.Kind())
	}
	return apperr.Invalidf(field, "The item %q must be a {token, type, url, source} object.", field)
}

// checkItem applies the field limits to item i of a report. The error
// names the field ("[2].url") but never quotes its value: it may be a key.
func checkItem(i int, t ReportedToken) error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"token", t.Token, MaxReportTokenLen},
		{"type", t.Type, MaxReportTypeLen},
		{"url", t.URL, MaxReportURLLen},
		{"source", t.Source, MaxReportSourceLen},
	} {
		field := fmt.Sprintf("[%d].%s", i, f.name)
		if !text.OneLine(f.value) {
			return apperr.Invalidf(field, "The field %q must be valid UTF-8 text without control characters (NUL, line breaks, tabs).", field)
		}
		if text.Len(f.value) > f.max {
			return apperr.Invalidf(field, "The field %q must be at most %d characters.", field, f.max)
		}
	}
	return nil
}

// readBody reads the whole body, refusing more than MaxBodyBytes (413).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &apperr.Error{Code: apperr.TooLarge, Message: fmt.Sprintf("The body is larger than %d bytes.", MaxBodyBytes)}
	case err != nil:
		return nil, apperr.Invalidf("", "The body could not be read.")
	}
	return body, nil
}

package leaks

import (
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
	s.actAll(r.Context(), plain(reports), matches)
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

// decodeReport parses a report: a JSON array of objects. Fields besides
// token, type, url and source are ignored — GitHub may add some.
func decodeReport(body []byte) ([]ReportedToken, error) {
	var tokens []ReportedToken
	err := json.Unmarshal(body, &tokens)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax) || (err == nil && !json.Valid(body)):
		return nil, apperr.Invalidf("", "The body is not valid JSON.")
	case errors.As(err, &typ) && typ.Field != "":
		return nil, apperr.Invalidf(typ.Field, "The field %q must be a %s.", typ.Field, typ.Type.Kind())
	case err != nil || tokens == nil:
		return nil, apperr.Invalidf("", "The body must be a JSON array of {token, type, url, source} objects.")
	}
	return tokens, nil
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

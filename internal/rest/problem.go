package rest

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"businesstools/internal/apperr"
	"businesstools/internal/requestid"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field names the request field at fault, when there is one.
	Field string `json:"field,omitempty"`
	// Scope names the scope a key lacks (403).
	Scope string `json:"scope,omitempty"`
	// RequestID is the id of a request that failed on our side (500): the
	// log line with the cause carries the same id.
	RequestID string `json:"request_id,omitempty"`
}

// statuses maps service error codes to HTTP statuses, in one place.
var statuses = map[apperr.Code]int{
	apperr.Invalid:              http.StatusBadRequest,
	apperr.NotFound:             http.StatusNotFound,
	apperr.Unauthenticated:      http.StatusUnauthorized,
	apperr.Forbidden:            http.StatusForbidden,
	apperr.Conflict:             http.StatusConflict,
	apperr.RateLimited:          http.StatusTooManyRequests,
	apperr.RevealDisabled:       http.StatusForbidden,
	apperr.TooLarge:             http.StatusRequestEntityTooLarge,
	apperr.UnsupportedMediaType: http.StatusUnsupportedMediaType,
	apperr.Unprocessable:        http.StatusUnprocessableEntity,
	apperr.Internal:             http.StatusInternalServerError,
}

// ProblemTypeBase prefixes problem type URIs; each code gets its own.
const ProblemTypeBase = "https://businesstools.dev/problems/"

// internalDetail is all a client learns of an internal error; request_id
// finds the logged cause.
const internalDetail = "Something went wrong on our side."

// WriteError writes err as problem+json. Internal errors answer a fixed
// detail and the request id, and are logged with the same id; others are
// the client's to read.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		ae = apperr.As(err)
	}
	status := statuses[ae.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	p := Problem{Type: ProblemTypeBase + string(ae.Code), Title: http.StatusText(status), Status: status,
		Detail: ae.Message, Instance: r.URL.EscapedPath(), Field: ae.Field} // a URI reference (RFC 9457): escaped, as requested
	if status == http.StatusInternalServerError {
		p.RequestID = requestid.From(r.Context())
		p.Detail, p.Field = internalDetail, ""
		if log != nil {
			log.ErrorContext(r.Context(), "rest internal error", "request_id", p.RequestID, "method", r.Method, "path", r.URL.Path, "err", ae.Error())
		}
	}
	if ae.Code == apperr.Forbidden {
		p.Scope = ae.Field
		p.Field = ""
	}
	if ae.Code == apperr.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="businesstools"`)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
	}
	WriteProblem(w, p)
}

// WriteProblem writes p with its status.
func WriteProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package emulator

import (
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
)

// The paths of the API's collections, which their lists also answer as
// their url.
const (
	sessionsURL = "/v1/identity/verification_sessions"
	reportsURL  = "/v1/identity/verification_reports"
	eventsURL   = "/v1/events"
)

// routes builds the emulator's handler: the Stripe API under /v1/ (request
// ID, then authentication, then idempotency, then the endpoint) and the
// hosted page under /verify/.
func (e *Emulator) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST "+sessionsURL, e.createSession)
	api.HandleFunc("GET "+sessionsURL, e.listSessions)
	api.HandleFunc("GET "+sessionsURL+"/{id}", e.retrieveSession)
	api.HandleFunc("POST "+sessionsURL+"/{id}", e.updateSession)
	api.HandleFunc("POST "+sessionsURL+"/{id}/cancel", e.cancelSession)
	api.HandleFunc("POST "+sessionsURL+"/{id}/redact", e.redactSession)
	api.HandleFunc("GET "+reportsURL, e.listReports)
	api.HandleFunc("GET "+reportsURL+"/{id}", e.retrieveReport)
	api.HandleFunc("GET "+eventsURL, e.listEvents)
	api.HandleFunc("GET "+eventsURL+"/{id}", e.retrieveEvent)
	// Anything else under /v1/, other methods included, is Stripe's
	// "Unrecognized request URL" 404 rather than ServeMux's 405.
	api.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { writeError(w, errUnrecognizedURL(r)) })

	mux := http.NewServeMux()
	mux.Handle("/v1/", withRequestID(e.authenticate(e.idempotency(api))))
	// The hosted page's paths are those of session urls, so it is mounted
	// without stripping the prefix.
	mux.Handle("/verify/", hostedpage.New(e, e.log))
	return mux
}

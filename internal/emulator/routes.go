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
	api.HandleFunc("POST "+sessionsURL, e.handleCreateSession)
	api.HandleFunc("GET "+sessionsURL, e.handleListSessions)
	api.HandleFunc("GET "+sessionsURL+"/{id}", e.handleRetrieveSession)
	api.HandleFunc("POST "+sessionsURL+"/{id}", e.handleUpdateSession)
	api.HandleFunc("POST "+sessionsURL+"/{id}/cancel", e.handleCancelSession)
	api.HandleFunc("POST "+sessionsURL+"/{id}/redact", e.handleRedactSession)
	api.HandleFunc("GET "+reportsURL, e.handleListReports)
	api.HandleFunc("GET "+reportsURL+"/{id}", e.handleRetrieveReport)
	api.HandleFunc("GET "+eventsURL, e.handleListEvents)
	api.HandleFunc("GET "+eventsURL+"/{id}", e.handleRetrieveEvent)
	// Anything else under /v1/, other methods included, is Stripe's
	// "Unrecognized request URL" 404 rather than ServeMux's 405.
	api.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { writeError(w, errUnrecognizedURL(r)) })

	mux := http.NewServeMux()
	mux.Handle("/v1/", withRequestID(e.authenticate(e.idempotency(api))))
	// The hosted page's paths are those of session urls, so it is mounted
	// without stripping the prefix.
	mux.Handle(hostedpage.Path, hostedpage.New(e, e.log))
	return mux
}

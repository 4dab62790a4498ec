package webhook

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v85"
	stripewebhook "github.com/stripe/stripe-go/v85/webhook"

	"github.com/idgraph/idgraph/internal/events"
)

// Path is where the handler is mounted, and the URL path of the endpoint
// to configure in Stripe.
const Path = "/webhooks/stripe"

// DefaultMaxBodyBytes bounds a webhook's body: Stripe's Identity events
// are a few KiB.
const DefaultMaxBodyBytes = 256 << 10

// Options configure the handler. Zero fields take their defaults.
type Options struct {
	// Logger receives refusals (their reason only) and events ignored;
	// nil discards.
	Logger *slog.Logger
	// MaxBodyBytes bounds the body; a larger one is a 413.
	MaxBodyBytes int64
	// Tolerance is how old a signature may be: Stripe's default, five
	// minutes, unless set. It bounds how long a captured request can be
	// replayed.
	Tolerance time.Duration
}

// handler is the webhook endpoint.
type handler struct {
	secret    string
	hub       *events.Hub
	log       *slog.Logger
	maxBody   int64
	tolerance time.Duration
}

// NewHandler returns the endpoint that verifies Stripe's webhooks signed
// with secret (the endpoint's whsec_…) and publishes the VerificationSession
// events to hub.
func NewHandler(secret string, hub *events.Hub, opts Options) http.Handler {
	h := &handler{secret: secret, hub: hub, log: opts.Logger, maxBody: opts.MaxBodyBytes, tolerance: opts.Tolerance}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.tolerance <= 0 {
		h.tolerance = stripewebhook.DefaultTolerance
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if r.ContentLength > h.maxBody {
		h.refuse(w, http.StatusRequestEntityTooLarge, "the body is larger than the limit")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.refuse(w, http.StatusRequestEntityTooLarge, "the body is larger than the limit")
		return
	case err != nil:
		h.refuse(w, http.StatusBadRequest, "the body could not be read")
		return
	}
	se, err := stripewebhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), h.secret,
		stripewebhook.ConstructEventOptions{Tolerance: h.tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		h.refuse(w, http.StatusBadRequest, refusal(err))
		return
	}
	e, ignored := sessionEvent(&se)
	if ignored != "" {
		h.log.DebugContext(r.Context(), "webhook: event ignored", "event", se.ID, "type", string(se.Type), "why", ignored)
		answer(w, http.StatusOK, "ignored: "+ignored)
		return
	}
	switch err := h.hub.Publish(r.Context(), e); {
	case err == nil:
		answer(w, http.StatusOK, "ok")
	case errors.Is(err, events.ErrDuplicate):
		h.log.DebugContext(r.Context(), "webhook: event delivered already", "event", e.ID)
		answer(w, http.StatusOK, "ok: delivered already")
	case errors.Is(err, events.ErrClosed):
		// Shutting down: Stripe retries, another replica takes it.
		answer(w, http.StatusServiceUnavailable, "shutting down")
	default:
		// Signed by Stripe yet not an event the hub takes: a retry
		// would not change that.
		h.log.WarnContext(r.Context(), "webhook: event not published", "event", e.ID, "type", e.Type, "error", err.Error())
		answer(w, http.StatusOK, "ignored: not publishable")
	}
}

// refuse answers a request that is not a verified Stripe webhook, and logs
// the reason only.
func (h *handler) refuse(w http.ResponseWriter, status int, reason string) {
	h.log.Warn("webhook: refused", "status", status, "reason", reason)
	answer(w, status, reason)
}

// refusal is the reason stripe-go's err gives, in words for the operator
// who reads the log (and for Stripe's dashboard, which shows the answer).
func refusal(err error) string {
	switch {
	case errors.Is(err, stripewebhook.ErrNotSigned):
		return "no Stripe-Signature header"
	case errors.Is(err, stripewebhook.ErrInvalidHeader):
		return "malformed Stripe-Signature header"
	case errors.Is(err, stripewebhook.ErrNoValidSignature):
		return "no valid signature: another endpoint's secret, or an altered body"
	case errors.Is(err, stripewebhook.ErrTooOld):
		return "the signature's timestamp is outside the tolerance"
	}
	// Signed, but not a JSON snapshot event (a thin event, or garbage
	// signed with the secret).
	return "not a Stripe snapshot event"
}

// sessionEvent is se as an events.Event, or why it is ignored.
func sessionEvent(se *stripe.Event) (events.Event, string) {
	if !events.IsSessionType(string(se.Type)) {
		return events.Event{}, "not a VerificationSession event"
	}
	if se.Account != "" {
		return events.Event{}, "a connected account's event"
	}
	var obj struct {
		ID                string `json:"id"`
		Object            string `json:"object"`
		ClientReferenceID string `json:"client_reference_id"`
	}
	if se.Data == nil || json.Unmarshal(se.Data.Raw, &obj) != nil || obj.Object != "identity.verification_session" || obj.ID == "" {
		return events.Event{}, "no VerificationSession in data.object"
	}
	return events.Event{
		ID:                se.ID,
		Type:              string(se.Type),
		Created:           time.Unix(se.Created, 0),
		SessionID:         obj.ID,
		ClientReferenceID: obj.ClientReferenceID,
	}, ""
}

func answer(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, text+"\n")
}

package hostedpage

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// Path is where the page is served: a session's url is {public}, Path and
// its token.
const Path = "/verify/"

// New returns the hosted verification page's handler. It serves
//
//	GET  /verify/{token}          the page with the three choices
//	POST /verify/{token}          the tester's choice, then 303 to return_url
//	GET  /verify/static/page.css  the page's style sheet
//
// Mount it at the root of the emulator's public host without stripping a
// prefix (with chi: r.Handle("/verify/*", h)), since the paths are those of
// a session's url; any other GET under /verify/ is a 404 page.
// A nil logger discards. New panics on a nil Backend, a wiring mistake.
func New(b Backend, logger *slog.Logger) http.Handler {
	if b == nil {
		panic("hostedpage: New with a nil Backend")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{backend: b, log: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path+"{token}", h.serveForm)
	mux.HandleFunc("POST "+Path+"{token}", h.serveSubmit)
	mux.HandleFunc("GET "+Path+"static/page.css", serveCSS)
	mux.HandleFunc("GET "+Path, h.serveNotFound)
	return mux
}

type handler struct {
	backend Backend
	log     *slog.Logger
}

// submittable mirrors Stripe: only a session that requires input can be
// submitted. The page checks it on GET so that a tester sees why at once,
// rather than after choosing; Submit checks again (ErrNotSubmittable).
func submittable(s Session) bool { return s.Status == "requires_input" }

func (h *handler) serveForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	s, err := h.backend.SessionByToken(r.Context(), token)
	if err != nil {
		h.serveError(w, r, token, err, s)
		return
	}
	if !submittable(s) {
		h.serveError(w, r, token, ErrNotSubmittable, s)
		return
	}
	h.render(w, r, http.StatusOK, "verify.html", formActionFor(s.ReturnURL), formPage{
		Title:   "Verify your identity",
		Session: s,
		Codes:   s.Failures,
	})
}

func (h *handler) serveSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.renderNotice(w, r, http.StatusRequestEntityTooLarge, notice{
				Title:   "Submission too large",
				Heading: "This submission is too large",
				Message: "The form sent more data than this page accepts.",
				Back:    true,
			})
			return
		}
		h.serveError(w, r, token, errBadForm, Session{})
		return
	}
	// PostForm only: a choice in the query string is not a submission.
	o, err := parseOutcome(r.PostForm)
	if err != nil {
		h.serveError(w, r, token, err, Session{})
		return
	}
	s, err := h.backend.Submit(r.Context(), token, o)
	if err != nil {
		h.serveError(w, r, token, err, s)
		return
	}
	if u, ok := returnTarget(s.ReturnURL); ok {
		setSecretHeaders(w.Header())
		// 303 so that the browser GETs return_url rather than re-POSTing.
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	if s.ReturnURL != "" {
		// The session ID is not a secret; the URL may be, so it is left out.
		h.log.WarnContext(r.Context(), "hostedpage: return_url is not an absolute http(s) URL; showing the thanks page", "session", s.ID)
	}
	h.renderNotice(w, r, http.StatusOK, thanks(s, o))
}

func (h *handler) serveNotFound(w http.ResponseWriter, r *http.Request) {
	h.renderNotice(w, r, http.StatusNotFound, invalidLink)
}

// invalidLink is the 404 page. It says the same for a token that never
// existed and one that was used up, so the page tells nothing about tokens.
var invalidLink = notice{
	Title:   "Invalid link",
	Heading: "This verification link is invalid or has expired",
	Message: "Ask for a new verification link: each link works once.",
}

// thanks is the page shown after a submission when there is no return_url.
// o is the tester's choice, already checked by the backend; the page
// quotes only its code, which is lower case letters and underscores.
func thanks(s Session, o Outcome) notice {
	if o.Abandon {
		return notice{
			Title:   "Verification abandoned",
			Heading: "You left the verification",
			Message: "The session " + s.ID + " was abandoned.",
			Status:  s.Status,
		}
	}
	if o.ErrorCode != "" && s.Status == "requires_input" {
		// A failure of the user's session: nothing went to processing.
		return notice{
			Title:   "Verification not completed",
			Heading: "The verification could not go on",
			Message: "The session " + s.ID + " failed with " + o.ErrorCode + " before anything was checked.",
			Status:  s.Status,
		}
	}
	return notice{
		Title:   "Submitted",
		Heading: "Thanks, your submission is being processed",
		Message: "The session " + s.ID + " was submitted.",
		Status:  s.Status,
	}
}

// serveError answers a failed lookup, form or submission. Errors the tester
// can act on get their own page and are not logged; anything else is a
// generic 500, logged once here. s is the session as far as it is known, for
// its status on the 409 page.
func (h *handler) serveError(w http.ResponseWriter, r *http.Request, token string, err error, s Session) {
	switch {
	case errors.Is(err, ErrNotFound):
		h.renderNotice(w, r, http.StatusNotFound, invalidLink)
	case errors.Is(err, ErrNotSubmittable):
		n := notice{
			Title:   "Cannot be submitted",
			Heading: "This session cannot be submitted",
			Message: "Only a session that requires input can be submitted.",
		}
		if s.Status != "" {
			n.Message = "The session is in status " + s.Status + " and cannot be submitted; only a session in requires_input can."
		}
		h.renderNotice(w, r, http.StatusConflict, n)
	case errors.Is(err, ErrInvalidOutcome), errors.Is(err, errBadForm):
		h.renderNotice(w, r, http.StatusBadRequest, notice{
			Title:   "Invalid choice",
			Heading: "This choice is not valid",
			Message: "Choose pass, abandon, or fail with one of the listed reasons.",
			Back:    true,
		})
	default:
		h.log.ErrorContext(r.Context(), "hostedpage: backend call failed",
			"method", r.Method, "err", redact(err, token))
		h.renderNotice(w, r, http.StatusInternalServerError, notice{
			Title:   "Something went wrong",
			Heading: "Something went wrong",
			Message: "The submission could not be handled. Please try again later.",
		})
	}
}

// redact is err's text with the token cut out. The Backend contract does not
// promise that its errors never quote the token, and the token is a secret.
func redact(err error, token string) string {
	msg := err.Error()
	if token == "" {
		return msg
	}
	return strings.ReplaceAll(msg, token, "[token]")
}

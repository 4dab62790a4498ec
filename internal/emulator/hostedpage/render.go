package hostedpage

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds the parsed templates. It is set once at package load and only
// read afterwards; a parse error is a build defect that every test catches.
var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// formPage is the data of verify.html, the page with the three choices.
type formPage struct {
	Title   string
	Session Session
	Codes   []Failure
}

// notice is the data of notice.html: every page that is not the form (the
// "thanks" page and the error pages).
type notice struct {
	Title   string
	Heading string
	Message string
	// Status, when set, is the session's status, shown as code.
	Status string
	// Back offers a link to the verification page again (after a bad form).
	Back bool
}

// fallback500 is sent when a template fails to render, so that even then the
// client gets a generic page and no Go error text.
const fallback500 = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Something went wrong</title>` +
	`<h1>Something went wrong</h1><p>Please try again later.</p></html>`

// render writes the named template with data and status. It renders into a
// buffer first so that a template error becomes a clean 500 rather than half
// a page after a 200.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name, formAction string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		h.log.ErrorContext(r.Context(), "hostedpage: rendering failed", "template", name, "err", err)
		setPageHeaders(w.Header(), "'none'")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(fallback500))
		return
	}
	setPageHeaders(w.Header(), formAction)
	w.WriteHeader(status)
	// A write error means the client has gone; there is no one to tell.
	_, _ = buf.WriteTo(w)
}

// renderNotice writes a page without a form.
func (h *handler) renderNotice(w http.ResponseWriter, r *http.Request, status int, n notice) {
	h.render(w, r, status, "notice.html", "'none'", n)
}

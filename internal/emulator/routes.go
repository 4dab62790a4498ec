package emulator

import (
	"net/http"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
)

// mountHostedPage serves the hosted verification page (package hostedpage)
// at /verify/, the path of session urls, without stripping the prefix.
// Kept alone in this file because the page is written by another hand.
func (e *Emulator) mountHostedPage(mux *http.ServeMux) {
	mux.Handle("/verify/", hostedpage.New(e, e.log))
}

package auth

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Middleware authenticates every request by its Authorization header and
// passes it on with its Principal in the context (NewContext). A request
// that is not authenticated ends here with a 401 in the manner of RFC 6750
// and a GraphQL error body whose code is UNAUTHENTICATED.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		credential, err := bearerCredential(r.Header)
		var p Principal
		if err == nil {
			p, err = a.Authenticate(r.Context(), credential)
		}
		if err != nil {
			writeUnauthenticated(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
	})
}

// bearerCredential reads the token of an Authorization header
// ("Bearer <token>", the scheme in any case, RFC 6750 §2.1); "" when there
// is no header.
func bearerCredential(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0 || len(values) == 1 && strings.TrimSpace(values[0]) == "":
		return "", nil
	case len(values) > 1:
		return "", unauthenticated(msgHeader)
	case len(values[0]) > len("Bearer ")+maxCredentialLen:
		// Refused before it is looked at any further.
		return "", unauthenticated(msgTooLong)
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", unauthenticated(msgHeader)
	}
	token = strings.TrimLeft(token, " ")
	if !isToken68(token) {
		return "", unauthenticated(msgHeader)
	}
	return token, nil
}

// isToken68 tells whether s is one token68 (RFC 9110 §11.2), the form of a
// bearer token: no spaces, so never two tokens.
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			return false
		}
	}
	return true
}

// codeUnauthenticated is the extensions.code of the 401's body: the one
// graph.CodeUnauthenticated names for the same refusal inside GraphQL
// (auth cannot import graph, which imports auth).
const codeUnauthenticated = "UNAUTHENTICATED"

// realm is the protection space of WWW-Authenticate.
const realm = "idgraph"

// writeUnauthenticated writes the 401 for err: a WWW-Authenticate challenge
// with RFC 6750's error and error_description (none when the credential is
// simply missing, §3.1), not stored by caches, and a GraphQL error body
// (in application/graphql-response+json when the client prefers it).
func writeUnauthenticated(w http.ResponseWriter, r *http.Request, err error) {
	msg := msgMissing
	var ue *UnauthenticatedError
	if errors.As(err, &ue) {
		msg = ue.Message
	}
	challenge := `Bearer realm="` + realm + `"`
	if msg != msgMissing {
		challenge += `, error="invalid_token", error_description="` + quoteEscape(msg) + `"`
	}
	h := w.Header()
	h.Set("WWW-Authenticate", challenge)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept")
	h.Set("Content-Type", responseType(r.Header.Get("Accept")))
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(errorBody(msg))
}

// graphQLErrors is a GraphQL response of errors only.
type graphQLErrors struct {
	Errors []graphQLError `json:"errors"`
}

type graphQLError struct {
	Message    string            `json:"message"`
	Extensions map[string]string `json:"extensions"`
}

func errorBody(msg string) graphQLErrors {
	return graphQLErrors{Errors: []graphQLError{{
		Message:    msg,
		Extensions: map[string]string{"code": codeUnauthenticated},
	}}}
}

// quoteEscape makes s safe inside a quoted-string (RFC 9110 §5.6.4):
// quotes and backslashes escaped, anything but printable ASCII dropped.
func quoteEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// The media types of a GraphQL response (GraphQL over HTTP).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// responseType is application/graphql-response+json when accept ranks it
// at least as high as application/json, and application/json otherwise.
func responseType(accept string) string {
	graphql, json := -1.0, -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		switch mt {
		case mediaGraphQLResponse:
			graphql = max(graphql, q)
		case mediaJSON:
			json = max(json, q)
		}
	}
	if graphql > 0 && graphql >= json {
		return mediaGraphQLResponse + "; charset=utf-8"
	}
	return mediaJSON + "; charset=utf-8"
}

package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// labelSet admits the first max distinct values of a label and turns the
// rest into Other: a label a client can steer must not grow the series
// without bound.
type labelSet struct {
	max  int
	mu   sync.RWMutex
	seen map[string]struct{}
}

func newLabelSet(max int) *labelSet {
	return &labelSet{max: max, seen: make(map[string]struct{}, max)}
}

func (s *labelSet) admit(v string) string {
	s.mu.RLock()
	_, ok := s.seen[v]
	s.mu.RUnlock()
	if ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return v
	}
	if len(s.seen) >= s.max {
		return Other
	}
	s.seen[v] = struct{}{}
	return v
}

// maxNameLen bounds an operation name that is kept as a label.
const maxNameLen = 64

// isGraphQLName tells whether s is a GraphQL name (/[_A-Za-z][_0-9A-Za-z]*/)
// of at most maxNameLen characters.
func isGraphQLName(s string) bool {
	if s == "" || len(s) > maxNameLen || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isToken tells whether s is 1 to max characters of ASCII letters, digits
// and any of extra.
func isToken(s string, max int, extra string) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// method is m when it is one of HTTP's methods, "OTHER" otherwise.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusCode is an HTTP status code as a label.
func statusCode(code int) string {
	if code < 100 || code > 599 {
		return Invalid
	}
	return strconv.Itoa(code)
}

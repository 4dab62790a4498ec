package accesslog

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// Limits on what a request's entry keeps.
const (
	// maxNameLen bounds an operation name in the log.
	maxNameLen = 64
	// maxCodes bounds the distinct error codes of one request.
	maxCodes = 8
	// maxCodeLen bounds one error code.
	maxCodeLen = 40
	// maxCallerLen bounds a caller kind.
	maxCallerLen = 32
)

// invalid stands for a value that failed its check: the log says that
// something was there, not what.
const invalid = "(invalid)"

// entry is what handlers below the middleware add to a request's line. They
// may run on several goroutines (gqlgen resolves fields concurrently).
type entry struct {
	mu      sync.Mutex
	caller  string
	opName  string
	opType  string
	codes   []string
	dropped bool // codes past maxCodes were left out
}

type entryKey struct{}

func newContext(ctx context.Context, e *entry) context.Context {
	return context.WithValue(ctx, entryKey{}, e)
}

func fromContext(ctx context.Context) *entry {
	e, _ := ctx.Value(entryKey{}).(*entry)
	return e
}

// SetCaller records the kind of the request's caller ("end_user",
// "server", "development"): a kind, never the caller's identity. Outside a
// request of Middleware it does nothing.
func SetCaller(ctx context.Context, kind string) {
	e := fromContext(ctx)
	if e == nil {
		return
	}
	if !isWord(kind, maxCallerLen, false) {
		kind = invalid
	}
	e.mu.Lock()
	e.caller = kind
	e.mu.Unlock()
}

// SetOperation records the GraphQL operation of the request: its name ("" for
// an anonymous one) and type ("query", "mutation", "subscription"; "" when
// the request named no valid operation). The name is the client's choice:
// one that is not a GraphQL name of at most 64 characters is logged as
// "(invalid)".
func SetOperation(ctx context.Context, name, typ string) {
	e := fromContext(ctx)
	if e == nil {
		return
	}
	if name != "" && !isGraphQLName(name) {
		name = invalid
	}
	switch typ {
	case "", "query", "mutation", "subscription":
	default:
		typ = invalid
	}
	e.mu.Lock()
	e.opName, e.opType = name, typ
	e.mu.Unlock()
}

// AddErrorCodes records the extensions.code of GraphQL errors in the
// request's answer, each once, in the order first seen, at most 8; a code
// that is not of [A-Z0-9_] (at most 40 characters) is logged as "(invalid)".
func AddErrorCodes(ctx context.Context, codes ...string) {
	e := fromContext(ctx)
	if e == nil || len(codes) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range codes {
		if !isWord(c, maxCodeLen, true) {
			c = invalid
		}
		switch {
		case slices.Contains(e.codes, c):
		case len(e.codes) < maxCodes:
			e.codes = append(e.codes, c)
		default:
			e.dropped = true
		}
	}
}

// snapshot is the entry's state for the log line.
func (e *entry) snapshot() (caller, opName, opType, codes string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	caller = e.caller
	if caller == "" {
		caller = "none"
	}
	codes = strings.Join(e.codes, ",")
	if e.dropped {
		codes += ",(more)"
	}
	return caller, e.opName, e.opType, codes
}

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

// isWord tells whether s is 1 to max characters of letters (upper case
// when upper, lower case otherwise), digits and underscores.
func isWord(s string, max int, upper bool) bool {
	if s == "" || len(s) > max {
		return false
	}
	lo, hi := byte('a'), byte('z')
	if upper {
		lo, hi = 'A', 'Z'
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(lo <= c && c <= hi || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

package graph

import (
	"fmt"
	"strings"
)

// sessionIDPrefix starts every VerificationSession ID.
const sessionIDPrefix = "vs_"

// maxIDLen bounds an ID; Stripe's are far shorter.
const maxIDLen = 255

// checkSessionID makes sure id is a VerificationSession ID before it goes
// into a Stripe URL path: "vs_" and Stripe's ID alphabet, so that no input
// can reach another Stripe path ("vs_x/cancel", "../customers").
func checkSessionID(field []string, id string) error {
	if !strings.HasPrefix(id, sessionIDPrefix) {
		return badInput(field, fmt.Sprintf("%q is not a VerificationSession ID: those start with %q.", truncate(id), sessionIDPrefix))
	}
	if !validIDChars(id[len(sessionIDPrefix):]) {
		return badInput(field, fmt.Sprintf("%q is not a VerificationSession ID: Stripe IDs are letters and digits after the prefix.", truncate(id)))
	}
	return nil
}

func validIDChars(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// truncate keeps an echoed input short in messages.
func truncate(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}

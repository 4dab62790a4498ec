package graph

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// idSeeds are IDs good and bad, shared by the ID and cursor fuzz targets.
var idSeeds = []string{
	// accepted
	"vs_1NuNkQ2eZvKYlo2CIpFzpYPD",
	"vs_a",
	"vs_0",
	"vs_" + strings.Repeat("Z", maxIDLen),
	// refused
	"",
	"vs_",
	"vs",
	"VS_abc",
	"vr_1NuNkQ2eZvKYlo2C",
	"vs_" + strings.Repeat("Z", maxIDLen+1),
	"vs_abc/cancel",
	"vs_abc?expand[]=verified_outputs",
	"vs_abc#x",
	"vs_abc%2Fcancel",
	"vs_../customers",
	"vs_abc.def",
	"vs_abc def",
	"vs_abc\tdef",
	"vs_abc\n",
	"vs_abc\x00",
	"vs_abc_def",
	"vs_abc-def",
	"vs_ａｂｃ",
	"vs_abc\u200b",
	"vs_abc\xff",
	" vs_abc",
	"../v1/customers",
}

// FuzzCheckSessionID checks the guard that every session ID passes before
// it goes into a Stripe URL path. It must accept exactly "vs_" followed by
// 1 to maxIDLen ASCII letters and digits, so that no '/', '?', '#', '%',
// '.', whitespace, control or non-ASCII byte reaches a path; and its refusal
// is a BAD_USER_INPUT on the given field whose message quotes a bounded,
// printable piece of the input.
func FuzzCheckSessionID(f *testing.F) {
	for _, s := range idSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		field := []string{"input", "id"}
		err := checkSessionID(field, id)
		if want := isStripeID(id); (err == nil) != want {
			t.Fatalf("checkSessionID(%q) = %v; want accepted: %v", id, err, want)
		}
		if err == nil {
			if strings.ContainsAny(id, "/?#%.\\ \t\r\n\x00") || !strings.HasPrefix(id, "vs_") {
				t.Fatalf("checkSessionID(%q) accepted an ID that could leave its URL path segment", id)
			}
			return
		}
		var ie *inputError
		if !errors.As(err, &ie) || ie.code != CodeBadUserInput || !slices.Equal(ie.field, field) {
			t.Fatalf("checkSessionID(%q) = %#v; want a BAD_USER_INPUT inputError on %v", id, err, field)
		}
		// The message quotes at most 64 bytes of the input, Go-escaped (at
		// most 4 bytes each), plus its own words.
		if msg := err.Error(); len(msg) > 400 || !utf8.ValidString(msg) || strings.ContainsAny(msg, "\n\r\x00") {
			t.Fatalf("checkSessionID(%q): message %q is too long or not printable", id, msg)
		}
	})
}

// isStripeID is the reference for checkSessionID, written independently of
// it: "vs_" and then 1 to maxIDLen ASCII letters and digits.
func isStripeID(id string) bool {
	rest, ok := strings.CutPrefix(id, "vs_")
	if !ok || len(rest) < 1 || len(rest) > maxIDLen {
		return false
	}
	for _, r := range rest {
		if r > 0x7f || !(('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')) {
			return false
		}
	}
	return true
}

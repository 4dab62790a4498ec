package graph

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzDecodeCursor feeds arbitrary strings to the cursor decoder, both as a
// cursor and as an ID to make a cursor of. It checks that:
//   - a cursor it accepts is at most 2*maxIDLen long, and decodes to an ID
//     that checkSessionID accepts, whose own cursor decodes to it again;
//   - every refusal is the same BAD_USER_INPUT on the argument, whatever
//     the input, so that a refusal tells nothing of a cursor's insides and
//     never echoes it;
//   - the cursor of any valid ID decodes to that ID, and the cursor of any
//     other string is refused.
func FuzzDecodeCursor(f *testing.F) {
	for _, id := range idSeeds {
		f.Add(encodeCursor(id))
		f.Add(id)
	}
	raw := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		raw([]byte("session:")),
		raw([]byte("Session:vs_abc")),
		raw([]byte("session:vs_abc\x00")),
		raw([]byte("session:session:vs_abc")),
		raw([]byte("report:vr_abc")),
		base64.StdEncoding.EncodeToString([]byte("session:vs_ab")),    // padded, std alphabet
		base64.URLEncoding.EncodeToString([]byte("session:vs_ab")),    // padded
		base64.StdEncoding.EncodeToString([]byte("session:vs_a?>~~")), // '+' and '/'
		"c2Vzc2lvbjp2c19h\n",
		"c2Vzc2lvbjp2c19h\r\n",
		"c2Vzc2lvbjp2c19hYmN",  // not a whole number of bytes
		"c2Vzc2lvbjp2c19hYm=",  // stray padding
		"c2Vzc2lvbjp2c19hYmM.", // not base64
		strings.Repeat("A", 2*maxIDLen+1),
		"",
	} {
		f.Add(s)
	}
	wantMsg := func(arg string) string {
		_, err := decodeCursor(arg, "!")
		return err.Error()
	}("after")

	f.Fuzz(func(t *testing.T, s string) {
		// s as a cursor.
		id, err := decodeCursor("after", s)
		if err == nil {
			if len(s) > 2*maxIDLen {
				t.Fatalf("decodeCursor accepted a cursor of %d bytes, over %d", len(s), 2*maxIDLen)
			}
			if err := checkSessionID(nil, id); err != nil {
				t.Fatalf("decodeCursor(%q) = %q, which checkSessionID refuses: %v", s, id, err)
			}
			if again, err := decodeCursor("after", encodeCursor(id)); err != nil || again != id {
				t.Fatalf("decodeCursor(%q) = %q, but its own cursor %q decodes to %q, %v", s, id, encodeCursor(id), again, err)
			}
		} else {
			if id != "" {
				t.Fatalf("decodeCursor(%q) = %q with error %v; want no ID with an error", s, id, err)
			}
			var ie *inputError
			if !errors.As(err, &ie) || ie.code != CodeBadUserInput || !slices.Equal(ie.field, []string{"after"}) {
				t.Fatalf("decodeCursor(%q) = %#v; want a BAD_USER_INPUT inputError on [after]", s, err)
			}
			if err.Error() != wantMsg {
				t.Fatalf("decodeCursor(%q) refused with %q; want the one message for every bad cursor, %q", s, err.Error(), wantMsg)
			}
		}

		// s as an ID: encodeCursor and decodeCursor are inverse exactly on
		// valid IDs.
		back, err := decodeCursor("before", encodeCursor(s))
		switch valid := checkSessionID(nil, s) == nil; {
		case valid && (err != nil || back != s):
			t.Fatalf("the cursor of valid ID %q decodes to %q, %v", s, back, err)
		case !valid && err == nil:
			t.Fatalf("the cursor of invalid ID %q was accepted as %q", s, back)
		}
	})
}

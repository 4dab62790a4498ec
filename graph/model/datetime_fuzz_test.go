package model

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// rfc3339UTC is what MarshalDateTime must write: whole seconds in UTC, with
// the Z designator, and a four-digit year (RFC 3339 has no other).
var rfc3339UTC = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`)

// FuzzUnmarshalDateTime feeds arbitrary strings to the DateTime scalar's
// parser. Whatever it accepts must be no earlier than 1970 (Stripe's times
// are Unix seconds), must marshal to RFC 3339 in UTC, and that output must
// parse again to the same instant, to the second: MarshalDateTime writes
// whole seconds because Stripe's times are whole seconds, so a fraction of
// an input is the one thing the trip may drop. A refusal must quote the
// input safely, as a Go string, and never panic.
func FuzzUnmarshalDateTime(f *testing.F) {
	for _, s := range []string{
		// accepted
		"2026-11-26T15:04:05Z",
		"1970-01-01T00:00:00Z",
		"1970-01-01T01:00:00+01:00",
		"2026-11-26T15:04:05.123456789Z",
		"2026-11-26T15:04:05,5Z",
		"2026-11-26T15:04:05-07:30",
		"9999-12-31T23:59:59Z",
		"9999-12-31T23:59:59-01:00", // year 10000 in UTC
		"2024-02-29T12:00:00Z",
		// refused
		"",
		"0001-01-01T00:00:00Z",
		"1969-12-31T23:59:59Z",
		"1970-01-01T00:59:59+01:00",
		"1969-12-31T23:59:59.999999999Z",
		"2026-11-26",
		"2026-11-26 15:04:05Z",
		"2026-11-26t15:04:05z",
		"2026-02-30T00:00:00Z",
		"2026-11-26T24:00:00Z",
		"2026-11-26T15:04:60Z",
		"2026-11-26T15:04:05+24:00",
		"2026-11-26T15:04:05",
		"1764169445",
		"+12026-11-26T15:04:05Z",
		"2026-11-26T15:04:05.Z",
		"2026-11-26T15:04:05.1234567890Z",
		"２０２６-11-26T15:04:05Z",
		"2026-11-26T15:04:05Z\x00",
		" 2026-11-26T15:04:05Z",
		"\xff\xfe",
		strings.Repeat("9", 4096),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := UnmarshalDateTime(s)
		if err != nil {
			if !got.IsZero() {
				t.Errorf("UnmarshalDateTime(%q) = %v with error %v; want the zero time with an error", s, got, err)
			}
			if msg := err.Error(); !utf8.ValidString(msg) {
				t.Errorf("UnmarshalDateTime(%q): error message is not valid UTF-8: %q", s, msg)
			}
			return
		}
		if got.Before(time.Unix(0, 0)) {
			t.Fatalf("UnmarshalDateTime(%q) = %v, before 1970", s, got)
		}
		if got.UTC().Year() > 9999 {
			t.Fatalf("UnmarshalDateTime(%q) = %v, after 9999 in UTC: RFC 3339 cannot write it", s, got)
		}
		var buf bytes.Buffer
		MarshalDateTime(got).MarshalGQL(&buf)
		out, err := strconv.Unquote(buf.String())
		if err != nil {
			t.Fatalf("MarshalDateTime(%v) = %s, not a quoted string: %v", got, buf.String(), err)
		}
		if !rfc3339UTC.MatchString(out) {
			t.Fatalf("UnmarshalDateTime(%q) = %v, which marshals to %q: not RFC 3339 in UTC", s, got, out)
		}
		again, err := UnmarshalDateTime(out)
		if err != nil {
			t.Fatalf("UnmarshalDateTime(%q) accepted, but its marshalled form %q is refused: %v", s, out, err)
		}
		if want := got.Truncate(time.Second); !again.Equal(want) {
			t.Fatalf("UnmarshalDateTime(%q) = %v marshals to %q, which parses to %v; want %v", s, got, out, again, want)
		}
	})
}

package model

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// minDateTime is the earliest DateTime accepted as input: Stripe's times are
// Unix seconds, never negative.
var minDateTime = time.Unix(0, 0).UTC()

// maxDateTime is the latest time RFC 3339 can write: a later one (9999 with
// a negative offset is year 10000 in UTC) could not be written back.
var maxDateTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)

// MarshalDateTime writes a DateTime as RFC 3339 in UTC. gqlgen binds the
// DateTime scalar to this function and UnmarshalDateTime (gqlgen.yml).
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339)))
	})
}

// UnmarshalDateTime reads an RFC 3339 string. Unlike gqlgen's Time scalar it
// refuses "" (which would read as year 1) and other formats, so a mistyped
// filter is the client's error instead of a surprising Stripe query.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errors.New("a DateTime must be an RFC 3339 string, such as \"2026-11-26T15:04:05Z\"")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 DateTime, such as \"2026-11-26T15:04:05Z\"", s)
	}
	if t.Before(minDateTime) {
		return time.Time{}, fmt.Errorf("%q is before 1970-01-01T00:00:00Z, the earliest time Stripe knows", s)
	}
	if t.After(maxDateTime) {
		return time.Time{}, fmt.Errorf("%q is after 9999-12-31T23:59:59Z, the latest time RFC 3339 can write", s)
	}
	return t, nil
}

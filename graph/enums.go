package graph

import "strings"

// gqlEnum is a gqlgen-generated enum type: its values are Stripe's values in
// upper case.
type gqlEnum interface {
	~string
	IsValid() bool
}

// enumFromStripe turns a Stripe enum value into its GraphQL value. Stripe
// adds enum values without a new API version, so a value that this schema
// does not know becomes unknown instead of an invalid response that would
// break every client. An empty value (Stripe's null) is nil.
func enumFromStripe[E gqlEnum, S ~string](v S, unknown E) *E {
	if v == "" {
		return nil
	}
	e := E(strings.ToUpper(string(v)))
	if v == "[redacted]" {
		e = E("REDACTED")
	}
	if !e.IsValid() || strings.ContainsAny(string(v), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		e = unknown
	}
	return &e
}

// enumValue is enumFromStripe for fields that are never null.
func enumValue[E gqlEnum, S ~string](v S, unknown E) E {
	if e := enumFromStripe(v, unknown); e != nil {
		return *e
	}
	return unknown
}

// enumToStripe turns a GraphQL input enum value into Stripe's value.
func enumToStripe[E ~string](e E) string {
	return strings.ToLower(string(e))
}

//go:build tools

// Package tools pins the versions of the tools that idgraph's build and
// tests run through the Go toolchain: gqlgen for code generation, stripe-mock
// for the wire-compatibility tests.
package tools

import (
	_ "github.com/99designs/gqlgen"
	_ "github.com/stripe/stripe-mock"
)

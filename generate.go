package main

// gqlgen writes graph/*.generated.go and graph/model/models_gen.go from
// schema.graphqls and gqlgen.yml; CI runs this and fails on any difference.
//go:generate go run github.com/99designs/gqlgen generate

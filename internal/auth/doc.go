// Package auth authenticates idgraph's callers and tells who they are: end
// users by a JWT from the app's identity provider, servers by an API key,
// and, in development on the emulator with no authentication configured,
// anyone with full access. The Principal it puts in the request's context is
// what tenancy (internal/tenancy) and the GraphQL layer's scope checks read.
package auth

// Package accesslog writes one log line per HTTP request: what was asked
// (method, chi's route pattern, the GraphQL operation's name and type),
// who asked (the kind of caller, never who), how it ended (HTTP status,
// the GraphQL error codes of the answer, whether the client went away),
// and its size and duration. The request ID comes from the context through
// requestid.LogHandler.
//
// Handlers below the middleware see a derived context, so what only they
// know reaches the line through setters on the request's context
// (SetCaller, SetOperation, AddErrorCodes), which write into the entry the
// middleware put there.
//
// The line never holds a path (the hosted page's paths carry a session's
// secret token), a query string, a header, a credential or a value from
// the request's body; what a client chooses freely (the operation name,
// the method) is bounded in length and alphabet.
package accesslog

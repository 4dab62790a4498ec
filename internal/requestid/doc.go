// Package requestid gives every HTTP request an ID, the one thread through
// its log lines, its response and its trace: Middleware takes a well-formed
// X-Request-Id from the caller (a proxy in front of idgraph, or an app that
// wants to quote it in a support ticket) or makes one, answers it in the
// response's X-Request-Id and puts it in the request's context; LogHandler
// adds it to every log record made with that context.
//
// A caller's ID is trusted only as far as its form: at most 128 characters
// of [A-Za-z0-9._-], so that it cannot forge log lines, carry markup or
// grow the logs. It is not a secret and not unique by force: a caller that
// reuses an ID only confuses its own requests.
package requestid

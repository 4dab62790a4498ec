package metrics

import (
	"time"

	"github.com/idgraph/idgraph/internal/accesslog"
)

// maxCodeLen bounds an error code kept as an outcome.
const maxCodeLen = 40

// Operation records one GraphQL operation: its name ("" for an anonymous
// one), its type ("query", "mutation", "subscription"; "" for a request
// that named no valid operation: it did not parse or validate), its
// outcome (in the access log's words, accesslog.OutcomeOK or
// accesslog.OutcomeClientClosed, or the extensions.code of its first
// error) and how long it took.
//
// The name is the client's choice: one that is no GraphQL name of at most
// 64 characters counts as Invalid, and past the first 100 distinct names
// the rest count as Other. A request that named no valid operation counts
// as Invalid whatever name it gave, as the name was never checked against
// a document; so junk requests cannot take up the names' places.
func (m *Metrics) Operation(name, typ, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	switch typ {
	case "query", "mutation", "subscription":
		switch {
		case name == "":
			name = Anonymous
		case isGraphQLName(name):
			name = m.names.admit(name)
		default:
			name = Invalid
		}
	default:
		typ, name = Invalid, Invalid
	}
	switch {
	case outcome == accesslog.OutcomeOK || outcome == accesslog.OutcomeClientClosed:
	case isToken(outcome, maxCodeLen, "_"):
		outcome = m.outcomes.admit(outcome)
	default:
		outcome = Invalid
	}
	m.operations.WithLabelValues(name, typ, outcome).Inc()
	m.operationDuration.WithLabelValues(name, typ).Observe(d.Seconds())
}

// maxScopeLen bounds a budget scope kept as a label.
const maxScopeLen = 32

// Throttled records an operation that the cost budget of scope refused.
// The budget's package calls it (and Spent) through an interface of its
// own: `Throttled(scope string); Spent(n int)`.
func (m *Metrics) Throttled(scope string) {
	if m == nil {
		return
	}
	if isToken(scope, maxScopeLen, "_-.:") {
		scope = m.scopes.admit(scope)
	} else {
		scope = Invalid
	}
	m.throttled.WithLabelValues(scope).Inc()
}

// Spent records n units of cost spent from the budgets; n ≤ 0 records
// nothing (a counter only grows).
func (m *Metrics) Spent(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.spent.Add(float64(n))
}

// Package budget holds callers, and idgraph as a whole, to budgets of
// Stripe calls, after Shopify's calculated query cost and GitHub's rate
// limit score.
//
// Every GraphQL operation's cost is known before it runs: the number of
// Stripe calls it may make (graph/cost.go prices it with gqlgen's
// complexity walk). A caller has a token bucket of Stripe calls: the
// operation reserves its requested cost up front, atomically, and is
// refused with a *ThrottledError when the bucket does not hold it; after
// the operation, the bucket is charged what it actually called (counted by
// Counting) and refunded the rest, so a call that was not made (a session
// not found before the call, a mutation refused by its input) costs
// nothing.
//
// Callers are keyed by CallerKey: an end user by their subject, every
// server key together as "server" (the Principal names no key; one shared,
// larger bucket), anyone else by client IP (an IPv6 client by its /64).
//
// The global budget keeps idgraph under the Stripe account's own rate
// limits (Stripe documents 100 read and 100 write operations a second in
// live mode and 25 in test mode, shared with the account's other traffic,
// and a lower limit per endpoint for some). It is enforced per Stripe call
// by Counting, before the call: with no token left the call fails with a
// *ThrottledError and Stripe is never asked.
//
// Buckets live in process (a map refilled lazily from the clock; full
// buckets are forgotten, so memory follows the callers active in the last
// refill period), or with a Redis URL in Redis, so that replicas share
// them: one Lua script refills and takes atomically, on Redis's clock, and
// keys expire when their bucket would be full. When Redis does not answer,
// the budget serves from the in-process buckets, says so once in the log
// and in Ready, and goes back to Redis when a probe finds it answering.
//
// A nil *Budget is the budgets switched off (IDGRAPH_BUDGET=off): its
// methods do nothing and Counting returns the client it is given.
package budget

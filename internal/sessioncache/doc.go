// Package sessioncache serves reads of VerificationSessions without asking
// Stripe again when it can, while never serving a state older than one
// idgraph has been told about. It is a decorator of identity.Client that
// sits below tenancy (which checks ownership on every read, cached or not)
// and above the budget's counter (so a read served here costs no Stripe
// budget). It holds nothing caller-specific.
//
// # Merged reads
//
// Concurrent Retrieves of the same session with the same expansions (and
// the same connected account) make one call: the first starts it, the
// others wait for its answer, and each gets a copy of its own. The call
// runs detached from its starter's context (context.WithoutCancel with a
// timeout of its own), so a caller that hangs up fails no one else. A read
// never joins a call that started before the session's last invalidation.
//
// # The cache
//
// What is kept: the session as a Retrieve without expansions, or with
// provided_details only, returns it, minus its client_secret and url
// (single-use values for one caller). Reads that expand verified_outputs or
// last_verification_report (and the sensitive fields within) are merged but
// never cached; a read whose context says Fresh (the GraphQL selection asks
// for url or clientSecret) is neither merged nor cached.
//
// Stripe gives sessions no version and events only whole seconds, so the
// cache is written only from fetches and from the answers of idgraph's own
// mutations, each with a stamp taken when its fetch started; of two writes
// the later-started wins, and a write that started before the session's
// last invalidation is refused. An event (Stripe's webhooks, the
// emulator's events, through the events hub's Observe hook, before any
// subscriber hears of it) invalidates the session and, when it was cached,
// fetches it again; a mutation invalidates it and writes its answer
// through; a redaction removes it. Entries expire after a TTL, which bounds
// the staleness when an event is lost.
//
// # Stores
//
// In process, the entries live in a map bounded by their bytes (least
// recently used first out). With Redis, replicas share them: one key per
// session and expansion holding the stamp and the session's JSON, with the
// TTL as its expiry, stamps from one Redis counter, invalidations as a
// Redis mark that refuses older writes. While Redis does not answer, each
// replica falls back to its own in-process store, emptied at each switch.
package sessioncache

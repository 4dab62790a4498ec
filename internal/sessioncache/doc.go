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
// timeout of its own), so a caller that hangs up fails no one else; a
// reader whose call runs out of that time while the reader's own deadline
// has not passed asks once more. A read never joins a call that started
// before the session's last invalidation, in this process or (the mark a
// cached read finds in Redis) by another replica.
//
// An end user is served a session from the cache or from another read's
// call only when it is theirs. Tenancy answers their read of another's
// session as one of a session that does not exist, which costs a Stripe
// call of their own; so does this one, or its cost and speed would tell
// that the session exists.
//
// # The cache
//
// What is kept: the session as a Retrieve without expansions, or with
// provided_details only, returns it, minus its client_secret and url
// (single-use values for one caller; Stripe's raw answer, which holds
// them, is not passed on either). Reads that expand verified_outputs or
// last_verification_report (and the sensitive fields within) are merged
// but never cached; a read whose context says Fresh (the GraphQL selection
// asks for url or clientSecret) is neither merged nor cached.
//
// Stripe gives sessions no version and events only whole seconds, so the
// cache is written only from fetches and from the answers of idgraph's own
// mutations. A fetch is stamped when it starts; of two, the later-started
// wins, and one that started before the session's last invalidation is
// refused. An event (Stripe's webhooks, the emulator's events, through the
// events hub's Observe hook) invalidates the session in this process at
// once, before any subscriber hears of it; the rest (Redis, and a fetch
// of what was cached) runs in the background, so the hub's publisher does
// not wait. A mutation's answer invalidates the session (a read begun
// before it may have fetched the state before Stripe applied the
// mutation) and is stored only if nothing else invalidated the session
// since the mutation began: an event meanwhile may be of a later change
// than the answer shows. A redaction removes the session. Entries expire
// after a TTL, which bounds the staleness when an event is lost.
//
// # Stores
//
// In process, the entries live in a map bounded by their bytes (least
// recently used first out). With Redis, replicas share them: one key per
// session and expansion holding the stamp and the session's JSON, with the
// TTL as its expiry, stamps from one Redis counter, invalidations as a
// Redis mark that refuses older writes. Every replica that hears of an
// event applies it to Redis, the first one only (the others find the event
// applied), so that Redis holds nothing older even when the replica that
// received it could not reach Redis. Until Redis has taken an invalidation
// made here, this process serves none of that session's Redis entries;
// one Redis did not take is replayed before this process uses Redis again.
// A write begun before an invalidation this process remembers is refused
// even should Redis have lost its counter and marks. While Redis does not
// answer, each replica falls back to its own in-process store, emptied at
// each switch.
//
// What a replica cannot know: between another replica's receiving an event
// and that event's reaching Redis (one round trip, in the background),
// this replica may still serve the older entry; once it has heard of the
// event itself (Redis pub/sub), it does not.
package sessioncache

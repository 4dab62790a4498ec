// Package events carries "session X changed" notifications from their
// sources (Stripe's webhooks, the embedded emulator) to the live-update
// subscriptions of GraphQL (verificationSessionUpdated,
// verificationSessionEvents), in this process and, through Redis pub/sub,
// in every replica.
//
// An Event says which session changed, how (its Stripe event type), when,
// and whose it is (its client_reference_id); it never carries the session
// itself. A subscriber that wants the session re-fetches it through the
// Identity client, tenancy included, so a notification can reveal no more
// than the caller may read.
//
// # Delivery
//
// Publish never blocks: it offers the event to each matching subscription's
// bounded buffer and returns. A subscriber that does not keep up loses
// events rather than slowing the publisher or the other subscribers:
//
//   - Latest (one session's updates): the buffer holds one event, the
//     newest; an event not yet received is replaced by a newer one of the
//     same session (latest state wins: the subscriber re-fetches the
//     session anyway, and the newer state is what it should see).
//   - Every (event streams): the buffer holds Options.Buffer events; when
//     it is full the oldest is dropped for the newest.
//
// Subscription.Dropped counts what one subscriber lost either way, and
// Hub.Stats the totals, for metrics. Nothing runs per subscription: no
// goroutine, one channel, one context.AfterFunc; a subscription ends, and
// its channel closes, when its context is done, on Close, or when the hub
// closes.
//
// Each event ID is delivered once: the hub remembers the last
// Options.RecentIDs IDs and ignores an event it has seen (Publish returns
// ErrDuplicate), which is also how a webhook that Stripe delivers twice,
// to one replica or to two, reaches subscribers once.
//
// # Observers
//
// Hub.Observe adds a function that hears of every event (once per ID, from
// this process or another replica) in the publisher's goroutine, before
// any subscription is offered it: the session cache forgets the session
// there, so a subscriber that re-reads it after the event never gets the
// state before it. An observer must be quick; it cannot lose events.
//
// # Limits
//
// Subscribe refuses with an error that errors.Is ErrTooManySubscriptions
// (a *LimitError) past Options.MaxSubscriptions in the hub, or past
// Options.MaxPerCaller for one caller (Filter.Caller, the budget's
// CallerKey; Options.CallerLimits may raise it for a key such as "server").
//
// # Replicas
//
// With a Redis URL, Publish also hands the event to one goroutine that
// PUBLISHes it on a channel every replica's hub SUBSCRIBEs to; each hub
// delivers what arrives to its own subscribers, except its own events
// (each carries its hub's random origin ID), which it delivered already.
// Pub/sub ignores Redis's database number, so the channel is named after
// it ("idgraph:events:db0"), keeping deployments apart as their keys are.
//
// When Redis does not answer, each hub goes on delivering the events
// published in its own process (events of other replicas are lost, not
// queued: subscribers re-fetch on the next one), says so once in the log
// (Warn) and in Ready, and reconnects by itself: go-redis's PubSub redials
// and subscribes again, and a ping every Options.RedisHealthInterval finds
// a connection that died silently. Ready is a note for /readyz, never a
// reason to stop serving.
package events

package events_test

import (
	"context"
	"fmt"
	"time"

	"github.com/idgraph/idgraph/internal/events"
)

// A verificationSessionUpdated subscription of an end user: their own
// session only, newest state wins.
func ExampleHub_Subscribe() {
	ctx := context.Background()
	hub, _ := events.New(ctx, events.Options{})
	defer hub.Close()

	sub, _ := hub.Subscribe(ctx, events.Filter{
		SessionID:         "vs_1",
		ClientReferenceID: "alice", // the end user's subject
		Caller:            "user:alice",
		Delivery:          events.Latest,
	})
	for i, typ := range []string{"identity.verification_session.processing", "identity.verification_session.verified"} {
		hub.Publish(ctx, events.Event{ID: fmt.Sprint("evt_", i), Type: typ, Created: time.Now(),
			SessionID: "vs_1", ClientReferenceID: "alice"})
	}
	e := <-sub.C() // the subscriber was busy: only the newest is left
	fmt.Println(e.ID, e.Type, sub.Dropped())
	// Output: evt_1 identity.verification_session.verified 1
}

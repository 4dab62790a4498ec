package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/events"
)

// This file converts between the hub's events (internal/events) and
// verificationSessionEvents' types. VerificationSessionEventType's values
// are events.Types without their prefix, in upper case: the one catalogue
// is events.Types, and a test holds the schema to it.

// eventFromHub is the GraphQL event of e, without its session.
func eventFromHub(e events.Event) *model.VerificationSessionEvent {
	return &model.VerificationSessionEvent{
		ID:        e.ID,
		Type:      eventType(e.Type),
		Created:   e.Created.UTC(),
		SessionID: e.SessionID,
	}
}

// eventType is the GraphQL value of a Stripe event type: UNKNOWN for a
// type Stripe added after this schema.
func eventType(t string) model.VerificationSessionEventType {
	name, ok := strings.CutPrefix(t, events.TypePrefix)
	if !ok {
		return model.VerificationSessionEventTypeUnknown
	}
	return enumValue(name, model.VerificationSessionEventTypeUnknown)
}

// stripeEventType is the Stripe event type of a GraphQL value.
func stripeEventType(t model.VerificationSessionEventType) string {
	return events.TypePrefix + enumToStripe(t)
}

// eventFilter is the hub filter of verificationSessionEvents' filter
// argument (the caller's part is subscribe's).
func eventFilter(in *model.VerificationSessionEventFilter) (events.Filter, error) {
	f := events.Filter{Delivery: events.Every}
	if in == nil {
		return f, nil
	}
	if in.SessionID != nil {
		if err := checkSessionID([]string{"filter", "sessionId"}, *in.SessionID); err != nil {
			return events.Filter{}, err
		}
		f.SessionID = *in.SessionID
	}
	for i, t := range in.Types {
		if t == model.VerificationSessionEventTypeUnknown {
			return events.Filter{}, badInput([]string{"filter", "types", strconv.Itoa(i)},
				fmt.Sprintf("%s stands for event types this version of idgraph does not know; it cannot be filtered on.", t))
		}
		f.Types = append(f.Types, stripeEventType(t))
	}
	return f, nil
}

// statusFilter is the statuses verificationSessionEvents' filter keeps,
// none for every status.
func statusFilter(in *model.VerificationSessionEventFilter) []model.VerificationSessionStatus {
	if in == nil {
		return nil
	}
	return in.Statuses
}

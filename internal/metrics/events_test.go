package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/events"
)

// A scrape shows the hub as it is: one subscription open, the event
// published once, delivered to it once, and its duplicate ignored.
func TestEventsExportTheHubsStats(t *testing.T) {
	hub, err := events.New(context.Background(), events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	m := New()
	m.Events(hub.Stats)

	sub, err := hub.Subscribe(context.Background(), events.Filter{SessionID: "vs_1", Caller: "user:a"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	e := events.Event{ID: "evt_1", Type: events.Types[1], Created: time.Now(), SessionID: "vs_1"}
	if err := hub.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	_ = hub.Publish(context.Background(), e) // a duplicate: ErrDuplicate

	families, text := scrape(t, m)
	for name, want := range map[string]float64{
		"idgraph_subscriptions_open":         1,
		"idgraph_events_published_total":     1,
		"idgraph_events_delivered_total":     1,
		"idgraph_events_duplicates_total":    1,
		"idgraph_events_dropped_total":       0,
		"idgraph_events_remote_total":        0,
		"idgraph_events_echoes_total":        0,
		"idgraph_events_redis_dropped_total": 0,
	} {
		if got := value(families, name, nil); got != want {
			t.Errorf("%s = %v, want %v\n%s", name, got, want, text)
		}
	}

	sub.Close()
	families, _ = scrape(t, m)
	if got := value(families, "idgraph_subscriptions_open", nil); got != 0 {
		t.Errorf("after the subscription closed: idgraph_subscriptions_open = %v, want 0", got)
	}
}

func TestNilMetricsExportNoEvents(t *testing.T) {
	var m *Metrics
	m.Events(func() events.Stats { t.Error("a nil Metrics read the stats"); return events.Stats{} })
}

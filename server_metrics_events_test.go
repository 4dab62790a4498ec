package main

import (
	"net/http"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// /metrics shows the live-updates hub: the subscriptions open now, and the
// emulator's events published to it.
func TestMetricsShowSubscriptionsAndEvents(t *testing.T) {
	s := serveOnEmulator(t)
	sess := s.create(t, map[string]any{"type": "DOCUMENT"}) // its created event is published
	c := connectWS(t, s.url, nil)
	c.subscribe("1", updatedQuery, map[string]any{"id": sess.ID})
	if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
		t.Fatalf("first update: %s", got)
	}

	res, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	read := func(name string) float64 {
		f := families[name]
		if f == nil || len(f.Metric) != 1 {
			t.Fatalf("/metrics has no %s", name)
		}
		if g := f.Metric[0].Gauge; g != nil {
			return g.GetValue()
		}
		return f.Metric[0].Counter.GetValue()
	}
	if got := read("idgraph_subscriptions_open"); got != 1 {
		t.Errorf("idgraph_subscriptions_open = %v, want 1", got)
	}
	if got := read("idgraph_events_published_total"); got < 1 {
		t.Errorf("idgraph_events_published_total = %v, want the session's created event", got)
	}
}

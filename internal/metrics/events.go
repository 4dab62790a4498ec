package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/idgraph/idgraph/internal/events"
)

// Events exports the counters of the live-updates hub whose Stats is
// stats, read once per scrape: the subscriptions open now, and the events
// published, delivered, dropped by slow subscribers, ignored as duplicates
// or echoes, received from other replicas, and not sent to Redis. Call it
// once; a second call panics, as registering a metric twice does.
func (m *Metrics) Events(stats func() events.Stats) {
	if m == nil {
		return
	}
	m.reg.MustRegister(eventsCollector{stats})
}

var (
	subscriptionsDesc = prometheus.NewDesc("idgraph_subscriptions_open",
		"GraphQL subscriptions open now (each holds a place in the live-updates hub).", nil, nil)
	// The events counters, by the field of events.Stats they read.
	eventsDescs = []struct {
		desc *prometheus.Desc
		read func(events.Stats) uint64
	}{
		{newEventsDesc("published_total", "Events accepted for delivery: from Stripe's webhooks or the emulator, on this replica."),
			func(s events.Stats) uint64 { return s.Published }},
		{newEventsDesc("delivered_total", "Events put in a subscription's buffer (one per matching subscription)."),
			func(s events.Stats) uint64 { return s.Delivered }},
		{newEventsDesc("dropped_total", "Events lost by slow subscribers: dropped from a full buffer, or replaced by a later state."),
			func(s events.Stats) uint64 { return s.Dropped }},
		{newEventsDesc("duplicates_total", "Events ignored as delivered already (a replayed webhook, or one seen through Redis)."),
			func(s events.Stats) uint64 { return s.Duplicates }},
		{newEventsDesc("remote_total", "Events received from other replicas through Redis."),
			func(s events.Stats) uint64 { return s.Remote }},
		{newEventsDesc("echoes_total", "This replica's own events back from Redis, ignored."),
			func(s events.Stats) uint64 { return s.Echoes }},
		{newEventsDesc("redis_dropped_total", "Events not sent to Redis (down, or its queue full): other replicas never saw them."),
			func(s events.Stats) uint64 { return s.RedisDropped }},
	}
)

func newEventsDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("idgraph_events_"+name, help, nil, nil)
}

// eventsCollector reads the hub's Stats once per scrape, so that the
// numbers of one scrape agree with each other.
type eventsCollector struct{ stats func() events.Stats }

func (c eventsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- subscriptionsDesc
	for _, d := range eventsDescs {
		ch <- d.desc
	}
}

func (c eventsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(subscriptionsDesc, prometheus.GaugeValue, float64(s.Subscriptions))
	for _, d := range eventsDescs {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.CounterValue, float64(d.read(s)))
	}
}

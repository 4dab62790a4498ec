package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// cacheOutcomes are the outcomes of a session read (internal/sessioncache's
// Outcome constants), the only label values CacheRead keeps.
var cacheOutcomes = map[string]bool{"hit": true, "miss": true, "merged": true, "bypass": true, "refresh": true}

func newCacheMetrics() (reads *prometheus.CounterVec, saved prometheus.Counter) {
	reads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "idgraph", Subsystem: "cache", Name: "reads_total",
		Help: "Session reads by outcome: hit (served from the cache), miss (called Stripe), merged (shared a concurrent read's call), bypass (url or clientSecret selected, or params the cache does not key on), refresh (a fetch an event started).",
	}, []string{"outcome"})
	saved = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "idgraph", Subsystem: "cache", Name: "stripe_calls_saved_total",
		Help: "Stripe calls the session cache and merged reads saved: hits plus merged reads.",
	})
	return reads, saved
}

// CacheRead records a session read's outcome. The session cache calls it
// through an interface of its own: `CacheRead(outcome string)`.
func (m *Metrics) CacheRead(outcome string) {
	if m == nil {
		return
	}
	if !cacheOutcomes[outcome] {
		outcome = Invalid
	}
	m.cacheReads.WithLabelValues(outcome).Inc()
	if outcome == "hit" || outcome == "merged" {
		m.cacheSaved.Inc()
	}
}

// CacheSize exports the in-process cache's entries and bytes, as size
// reports them when scraped.
func (m *Metrics) CacheSize(size func() (entries int, bytes int64)) {
	if m == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "idgraph", Subsystem: "cache", Name: "entries",
			Help: "Sessions in this process's cache (those in Redis are not counted).",
		}, func() float64 { n, _ := size(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "idgraph", Subsystem: "cache", Name: "bytes",
			Help: "Bytes this process's cache holds, bounded by IDGRAPH_CACHE_MAX_BYTES.",
		}, func() float64 { _, b := size(); return float64(b) }),
	)
}

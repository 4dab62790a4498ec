package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label values idgraph makes up; the parentheses keep them apart from any
// GraphQL name.
const (
	// Other stands for the values past a label's cap.
	Other = "(other)"
	// Anonymous is the name of an operation without one.
	Anonymous = "(anonymous)"
	// Invalid stands for a value that failed its check, and for the name
	// and type of a request that named no valid operation.
	Invalid = "(invalid)"
)

// Caps on the distinct values of the labels a client can steer.
const (
	maxOperationNames = 100
	maxOutcomes       = 50
	maxScopes         = 20
)

// latencyBuckets (seconds) reach past stripe-go's 80-second timeout.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 90}

// Metrics records idgraph's metrics; New makes one, Handler serves it.
type Metrics struct {
	reg *prometheus.Registry

	operations        *prometheus.CounterVec
	operationDuration *prometheus.HistogramVec
	throttled         *prometheus.CounterVec
	spent             prometheus.Counter

	stripeRequests *prometheus.CounterVec
	stripeDuration *prometheus.HistogramVec

	httpInFlight prometheus.Gauge
	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	cacheReads *prometheus.CounterVec
	cacheSaved prometheus.Counter

	names    *labelSet
	outcomes *labelSet
	scopes   *labelSet
}

// New returns Metrics in a registry of their own, with the Go runtime's and
// the process's collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "idgraph", Subsystem: "graphql", Name: "operations_total",
			Help: "GraphQL operations by name (the first 100 distinct names; the rest are (other)), type and outcome (ok, client_closed or the first error's code).",
		}, []string{"operation", "type", "outcome"}),
		operationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "idgraph", Subsystem: "graphql", Name: "operation_duration_seconds",
			Help:    "Duration of GraphQL operations, from the request's start to the response, by name and type.",
			Buckets: latencyBuckets,
		}, []string{"operation", "type"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "idgraph", Subsystem: "budget", Name: "throttled_total",
			Help: "Operations the cost budget refused, by the budget's scope.",
		}, []string{"scope"}),
		spent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "idgraph", Subsystem: "budget", Name: "spent_total",
			Help: "Cost spent from budgets by operations that were served.",
		}),
		stripeRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "idgraph", Subsystem: "stripe", Name: "requests_total",
			Help: "HTTP requests to Stripe (each retry counts) by endpoint template, method and status code (or canceled, timeout, error when no answer came).",
		}, []string{"endpoint", "method", "code"}),
		stripeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "idgraph", Subsystem: "stripe", Name: "request_duration_seconds",
			Help:    "Time to Stripe's response headers, by endpoint template and method.",
			Buckets: latencyBuckets,
		}, []string{"endpoint", "method"}),
		httpInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "idgraph", Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "idgraph", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "idgraph", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Duration of HTTP requests, by method and route pattern.",
			Buckets: latencyBuckets,
		}, []string{"method", "route"}),
		names:    newLabelSet(maxOperationNames),
		outcomes: newLabelSet(maxOutcomes),
		scopes:   newLabelSet(maxScopes),
	}
	m.cacheReads, m.cacheSaved = newCacheMetrics()
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.operations, m.operationDuration, m.throttled, m.spent,
		m.stripeRequests, m.stripeDuration,
		m.httpInFlight, m.httpRequests, m.httpDuration,
		m.cacheReads, m.cacheSaved,
	)
	return m
}

// Handler serves the metrics in Prometheus's formats, for /metrics.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

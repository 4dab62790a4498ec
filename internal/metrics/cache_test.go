package metrics

import "testing"

func TestCacheReadsCountTheStripeCallsSaved(t *testing.T) {
	m := New()
	for _, o := range []string{"hit", "hit", "merged", "miss", "bypass", "refresh", "made-up"} {
		m.CacheRead(o)
	}
	m.CacheSize(func() (int, int64) { return 3, 4096 })
	families, _ := scrape(t, m)
	for _, c := range []struct {
		name    string
		outcome string
		want    float64
	}{
		{"idgraph_cache_reads_total", "hit", 2},
		{"idgraph_cache_reads_total", "merged", 1},
		{"idgraph_cache_reads_total", "miss", 1},
		{"idgraph_cache_reads_total", Invalid, 1},
		{"idgraph_cache_stripe_calls_saved_total", "", 3},
		{"idgraph_cache_entries", "", 3},
		{"idgraph_cache_bytes", "", 4096},
	} {
		labels := map[string]string{}
		if c.outcome != "" {
			labels["outcome"] = c.outcome
		}
		if got := value(families, c.name, labels); got != c.want {
			t.Errorf("%s%v = %g, want %g", c.name, labels, got, c.want)
		}
	}
}

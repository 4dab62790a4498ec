package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestOperationsSettings(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c, err := Load(nil, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		o := c.Operations
		if o.MaxBodyBytes != 64<<10 || o.OperationTimeout != 10*time.Second || !o.Budget || o.BudgetCapacity != 1000 ||
			o.BudgetRestoreRate != 50 || o.Limits != (QueryLimits{}) || o.RedisURL != "" || o.MetricsAddr != "" {
			t.Errorf("got %+v", o)
		}
	})
	t.Run("every setting read", func(t *testing.T) {
		env := map[string]string{
			"IDGRAPH_LIMIT_TOKENS": "9000", "IDGRAPH_LIMIT_DEPTH": "12", "IDGRAPH_LIMIT_ALIASES": "30", "IDGRAPH_LIMIT_FIELDS": "4000",
			"IDGRAPH_LIMIT_MUTATIONS": "3", "IDGRAPH_LIMIT_INTROSPECTION": "1", "IDGRAPH_MAX_BODY_BYTES": "32768",
			"IDGRAPH_OPERATION_TIMEOUT": "5s", "IDGRAPH_BUDGET": "off", "IDGRAPH_BUDGET_CAPACITY": "500", "IDGRAPH_BUDGET_RESTORE_RATE": "2.5",
			"IDGRAPH_STRIPE_READ_RATE": "20", "IDGRAPH_STRIPE_WRITE_RATE": "10", "IDGRAPH_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7",
			"IDGRAPH_REDIS_URL": "redis://:secret@localhost:6379/0", "IDGRAPH_METRICS_ADDR": "127.0.0.1:9090",
		}
		c, err := Load(nil, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		o := c.Operations
		if o.Limits != (QueryLimits{9000, 12, 30, 4000, 3, 1}) || o.MaxBodyBytes != 32768 || o.OperationTimeout != 5*time.Second ||
			o.Budget || o.BudgetCapacity != 500 || o.BudgetRestoreRate != 2.5 || o.StripeReadRate != 20 || o.StripeWriteRate != 10 ||
			len(o.TrustedProxies) != 2 || o.TrustedProxies[1].Bits() != 32 || o.MetricsAddr != "127.0.0.1:9090" {
			t.Errorf("got %+v", o)
		}
	})
	t.Run("malformed settings are reported at once, a Redis password never echoed", func(t *testing.T) {
		env := map[string]string{
			"IDGRAPH_LIMIT_DEPTH": "-1", "IDGRAPH_MAX_BODY_BYTES": "1", "IDGRAPH_OPERATION_TIMEOUT": "1h", "IDGRAPH_BUDGET": "maybe",
			"IDGRAPH_BUDGET_CAPACITY": "0", "IDGRAPH_TRUSTED_PROXIES": "everyone", "IDGRAPH_REDIS_URL": "http://:hunter2@x",
			"IDGRAPH_METRICS_ADDR": "9090",
		}
		_, err := Load(nil, func(k string) string { return env[k] }, io.Discard)
		if err == nil {
			t.Fatal("no error")
		}
		for _, w := range []string{"IDGRAPH_LIMIT_DEPTH", "IDGRAPH_MAX_BODY_BYTES", "IDGRAPH_OPERATION_TIMEOUT", "IDGRAPH_BUDGET must be on or off",
			"IDGRAPH_BUDGET_CAPACITY", "IDGRAPH_TRUSTED_PROXIES", "IDGRAPH_REDIS_URL", "IDGRAPH_METRICS_ADDR"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error lacks %q:\n%v", w, err)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Error("the Redis password is echoed")
		}
	})
}

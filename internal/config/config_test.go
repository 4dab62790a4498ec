package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		// wantErr are substrings of the error; none means success.
		wantErr []string
		check   func(t *testing.T, c Config)
	}{
		{
			name: "no configuration runs the emulator on the defaults",
			check: func(t *testing.T, c Config) {
				if !c.Emulator() || c.Addr != DefaultAddr || c.EmulatorDB != DefaultEmulatorDB ||
					c.MaxNetworkRetries != DefaultRetries || c.ProcessingDelay != DefaultProcessingDelay {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "a flag wins over its variable",
			args: []string{"-addr", "127.0.0.1:9000"},
			env:  map[string]string{"IDGRAPH_ADDR": "127.0.0.1:7000"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:9000" {
					t.Errorf("addr %q", c.Addr)
				}
			},
		},
		{
			name: "a test key and stripe-mock's base URL front Stripe",
			env:  map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_API_BASE": "http://127.0.0.1:12111", "STRIPE_MAX_NETWORK_RETRIES": "0", "IDGRAPH_ALLOW_UNAUTHENTICATED": "true"},
			check: func(t *testing.T, c Config) {
				if c.Emulator() || c.LiveKey() || c.StripeAPIBase != "http://127.0.0.1:12111" || c.MaxNetworkRetries != 0 {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name:    "a live key is refused without authentication or IDGRAPH_ALLOW_UNAUTHENTICATED",
			env:     map[string]string{"STRIPE_SECRET_KEY": "rk_live_abc"},
			wantErr: []string{"refusing to serve a Stripe key with no authentication", "IDGRAPH_ALLOW_UNAUTHENTICATED=true"},
		},
		{
			name: "a live key is served when explicitly allowed",
			env:  map[string]string{"STRIPE_SECRET_KEY": "sk_live_abc", "IDGRAPH_ALLOW_UNAUTHENTICATED": "true"},
			check: func(t *testing.T, c Config) {
				if !c.LiveKey() || !c.AllowUnauthenticated {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name:    "a malformed key is refused without echoing it",
			env:     map[string]string{"STRIPE_SECRET_KEY": "pk_test_public"},
			wantErr: []string{"STRIPE_SECRET_KEY must be a Stripe secret or restricted key"},
		},
		{
			name:    "an API base without a key is explained",
			env:     map[string]string{"STRIPE_API_BASE": "http://127.0.0.1:12111"},
			wantErr: []string{"STRIPE_API_BASE needs STRIPE_SECRET_KEY"},
		},
		{
			name:    "an API base with a path is refused, as stripe-go would fail",
			env:     map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_API_BASE": "http://localhost:8080/emulator"},
			wantErr: []string{"STRIPE_API_BASE must have no path"},
		},
		{
			name: "every malformed setting is reported at once",
			env: map[string]string{
				"IDGRAPH_ADDR": "8080", "STRIPE_MAX_NETWORK_RETRIES": "many", "IDGRAPH_ALLOW_UNAUTHENTICATED": "yes please",
				"IDGRAPH_EMULATOR_PROCESSING_DELAY": "soon", "IDGRAPH_PUBLIC_URL": "localhost:8080",
			},
			wantErr: []string{"IDGRAPH_ADDR must be host:port", "STRIPE_MAX_NETWORK_RETRIES must be", "IDGRAPH_ALLOW_UNAUTHENTICATED must be true or false",
				"IDGRAPH_EMULATOR_PROCESSING_DELAY must be a duration", "IDGRAPH_PUBLIC_URL must be an absolute http or https URL"},
		},
		{
			name:    "retries beyond 10 are refused",
			env:     map[string]string{"STRIPE_MAX_NETWORK_RETRIES": "11"},
			wantErr: []string{"from 0 to 10"},
		},
		{
			name:    "a stray argument is refused",
			args:    []string{"serve"},
			wantErr: []string{`unexpected argument "serve"`},
		},
		{
			name: "a processing delay is read as a duration",
			env:  map[string]string{"IDGRAPH_EMULATOR_PROCESSING_DELAY": "250ms"},
			check: func(t *testing.T, c Config) {
				if c.ProcessingDelay != 250*time.Millisecond {
					t.Errorf("delay %v", c.ProcessingDelay)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if key := tt.env["STRIPE_SECRET_KEY"]; key != "" && strings.Contains(err.Error(), key) {
				t.Errorf("error echoes the key: %v", err)
			}
		})
	}
}

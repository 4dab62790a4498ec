package config

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestEmulatorWebhookSettings(t *testing.T) {
	load := func(env map[string]string) (Config, error) {
		return Load(nil, func(k string) string { return env[k] }, io.Discard)
	}
	t.Run("none by default", func(t *testing.T) {
		c, err := load(nil)
		if err != nil || c.EmulatorWebhookURLs != nil || c.EmulatorWebhookSecret != "" {
			t.Errorf("got %+v, %v", c.EmulatorWebhooks, err)
		}
	})
	t.Run("endpoints and a secret are read", func(t *testing.T) {
		c, err := load(map[string]string{"IDGRAPH_EMULATOR_WEBHOOK_URLS": " http://localhost:4242/webhook, https://hooks.example.com/stripe?team=1 ",
			"IDGRAPH_EMULATOR_WEBHOOK_SECRET": "whsec_abc123"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.EmulatorWebhookURLs, []string{"http://localhost:4242/webhook", "https://hooks.example.com/stripe?team=1"}) ||
			c.EmulatorWebhookSecret != "whsec_abc123" {
			t.Errorf("got %+v", c.EmulatorWebhooks)
		}
	})
	t.Run("the flags override the variables", func(t *testing.T) {
		c, err := Load([]string{"-emulator-webhook-urls", "http://127.0.0.1:9/x", "-emulator-webhook-secret", "whsec_flag"},
			func(k string) string { return map[string]string{"IDGRAPH_EMULATOR_WEBHOOK_URLS": "http://other/"}[k] }, io.Discard)
		if err != nil || !slices.Equal(c.EmulatorWebhookURLs, []string{"http://127.0.0.1:9/x"}) || c.EmulatorWebhookSecret != "whsec_flag" {
			t.Errorf("got %+v, %v", c.EmulatorWebhooks, err)
		}
	})
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"a relative URL, another scheme, a fragment, a URL twice",
			map[string]string{"IDGRAPH_EMULATOR_WEBHOOK_URLS": "/webhook,ftp://x/y,http://x/y#z,http://a/b,http://a/b"},
			[]string{`not "/webhook"`, `not "ftp://x/y"`, "without a fragment", "lists http://a/b twice"}},
		{"a password in a bad URL is not echoed",
			map[string]string{"IDGRAPH_EMULATOR_WEBHOOK_URLS": "ftp://me:hunter2@x/"},
			[]string{"absolute http or https URLs"}},
		{"a secret that is not whsec_",
			map[string]string{"IDGRAPH_EMULATOR_WEBHOOK_SECRET": "hunter2"},
			[]string{"IDGRAPH_EMULATOR_WEBHOOK_SECRET must be a webhook signing secret (whsec_…)"}},
		{"on Stripe, the emulator's webhooks are refused",
			map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "IDGRAPH_ALLOW_UNAUTHENTICATED": "true", "IDGRAPH_EMULATOR_WEBHOOK_URLS": "http://a/b"},
			[]string{"are for the embedded emulator", "STRIPE_WEBHOOK_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.env)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("a secret is echoed: %v", err)
			}
		})
	}
}

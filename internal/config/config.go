// Package config reads idgraph's configuration from the environment and the
// command line (a flag overrides its variable) and checks it at start-up, so
// that a bad setting is a clear message then rather than a failure at the
// first request.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is idgraph's configuration.
type Config struct {
	// Addr is the listen address (IDGRAPH_ADDR).
	Addr string
	// PublicURL is the base URL browsers reach idgraph at (IDGRAPH_PUBLIC_URL);
	// empty means derived from the listen address once listening.
	PublicURL string
	// StripeKey is the Stripe secret or restricted key (STRIPE_SECRET_KEY);
	// empty means the embedded emulator.
	StripeKey string
	// StripeAPIBase is the Stripe API base URL (STRIPE_API_BASE), such as a
	// local stripe-mock's; empty means api.stripe.com.
	StripeAPIBase string
	// StripeWebhookSecret verifies the signatures of Stripe's webhooks
	// (STRIPE_WEBHOOK_SECRET, whsec_…); empty: no webhook endpoint.
	StripeWebhookSecret string
	// MaxNetworkRetries is stripe-go's retry count (STRIPE_MAX_NETWORK_RETRIES).
	MaxNetworkRetries int64
	// AllowUnauthenticated lets idgraph front a Stripe key with no
	// authentication configured (IDGRAPH_ALLOW_UNAUTHENTICATED): only behind
	// an authentication of the operator's own.
	AllowUnauthenticated bool
	// EmulatorDB is the emulator's SQLite file (IDGRAPH_EMULATOR_DB).
	EmulatorDB string
	// ProcessingDelay is how long an emulated submission stays in processing
	// (IDGRAPH_EMULATOR_PROCESSING_DELAY).
	ProcessingDelay time.Duration
	// EmulatorAPIKey is the key other Stripe SDKs present to the emulator's
	// REST API at /v1 when authentication is configured
	// (IDGRAPH_EMULATOR_API_KEY); empty means one generated at start-up.
	EmulatorAPIKey string

	Security
	Operations
	Cache
	EmulatorWebhooks
	// Version asks for idgraph's version and nothing else (-version).
	Version bool
}

// Defaults.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultEmulatorDB      = "idgraph-emulator.db"
	DefaultRetries         = 2
	DefaultProcessingDelay = 3 * time.Second
	maxRetries             = 10
)

// Emulator tells whether idgraph runs on its embedded emulator: when no
// Stripe key is configured.
func (c Config) Emulator() bool { return c.StripeKey == "" }

// LiveKey tells whether the key is a live-mode key.
func (c Config) LiveKey() bool {
	return strings.HasPrefix(c.StripeKey, "sk_live_") || strings.HasPrefix(c.StripeKey, "rk_live_")
}

// Load reads the configuration from args (without the program name) and
// getenv, and checks it. usage receives the flags' help on -h.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("idgraph", flag.ContinueOnError)
	fs.SetOutput(usage)
	var (
		c       Config
		retries string
		delay   string
		sec     securityFlags
		ops     operationsFlags
		cache   cacheFlags
		hooks   webhookFlags
	)
	fs.StringVar(&c.Addr, "addr", env("IDGRAPH_ADDR", DefaultAddr), "listen address `host:port` (IDGRAPH_ADDR)")
	fs.StringVar(&c.PublicURL, "public-url", env("IDGRAPH_PUBLIC_URL", ""), "base URL browsers use to reach idgraph; default from -addr (IDGRAPH_PUBLIC_URL)")
	fs.StringVar(&c.StripeKey, "stripe-secret-key", env("STRIPE_SECRET_KEY", ""), "Stripe secret or restricted key; prefer the variable, flags show in ps (STRIPE_SECRET_KEY)")
	fs.StringVar(&c.StripeWebhookSecret, "stripe-webhook-secret", env("STRIPE_WEBHOOK_SECRET", ""), "the webhook endpoint's signing secret (whsec_…) for POST /webhooks/stripe; prefer the variable (STRIPE_WEBHOOK_SECRET)")
	fs.StringVar(&c.StripeAPIBase, "stripe-api-base", env("STRIPE_API_BASE", ""), "Stripe API base URL, e.g. a local stripe-mock's (STRIPE_API_BASE)")
	fs.StringVar(&retries, "stripe-max-network-retries", env("STRIPE_MAX_NETWORK_RETRIES", strconv.Itoa(DefaultRetries)), "stripe-go's network retries, 0 to 10 (STRIPE_MAX_NETWORK_RETRIES)")
	allow := env("IDGRAPH_ALLOW_UNAUTHENTICATED", "false")
	fs.BoolFunc("allow-unauthenticated", "serve a Stripe key with no authentication configured, behind your own (IDGRAPH_ALLOW_UNAUTHENTICATED=true)", func(v string) error {
		allow = v
		return nil
	})
	fs.StringVar(&c.EmulatorDB, "emulator-db", env("IDGRAPH_EMULATOR_DB", DefaultEmulatorDB), "the emulator's SQLite file (IDGRAPH_EMULATOR_DB)")
	fs.StringVar(&delay, "emulator-processing-delay", env("IDGRAPH_EMULATOR_PROCESSING_DELAY", DefaultProcessingDelay.String()), "time an emulated submission stays in processing (IDGRAPH_EMULATOR_PROCESSING_DELAY)")
	fs.StringVar(&c.EmulatorAPIKey, "emulator-api-key", env("IDGRAPH_EMULATOR_API_KEY", ""), "the test key other Stripe SDKs use at the emulator's /v1 when auth is configured; default generated at start-up (IDGRAPH_EMULATOR_API_KEY)")
	sec.register(fs, env)
	ops.register(fs, env)
	cache.register(fs, env)
	hooks.register(fs, env)
	fs.BoolVar(&c.Version, "version", false, "print idgraph's version and exit")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var errs []error
	n, err := strconv.ParseInt(retries, 10, 64)
	if err != nil || n < 0 || n > maxRetries {
		errs = append(errs, fmt.Errorf("STRIPE_MAX_NETWORK_RETRIES must be a whole number from 0 to %d, not %q", maxRetries, retries))
	}
	c.MaxNetworkRetries = n
	if c.AllowUnauthenticated, err = strconv.ParseBool(allow); err != nil {
		errs = append(errs, fmt.Errorf("IDGRAPH_ALLOW_UNAUTHENTICATED must be true or false, not %q", allow))
	}
	if c.ProcessingDelay, err = time.ParseDuration(delay); err != nil || c.ProcessingDelay < 0 {
		errs = append(errs, fmt.Errorf("IDGRAPH_EMULATOR_PROCESSING_DELAY must be a duration such as 3s, not %q", delay))
	}
	c.Security, err = sec.parse(c.LiveKey())
	if err != nil {
		errs = append(errs, err)
	}
	if c.Operations, err = ops.parse(); err != nil {
		errs = append(errs, err)
	}
	if c.Cache, err = cache.parse(c.RedisURL); err != nil {
		errs = append(errs, err)
	}
	if c.EmulatorWebhooks, err = hooks.parse(c.Emulator()); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.check()...)
	return c, errors.Join(errs...)
}

func (c Config) check() []error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("IDGRAPH_ADDR must be host:port, such as 127.0.0.1:8080, not %q", c.Addr))
	}
	if c.PublicURL != "" {
		if err := checkBaseURL(c.PublicURL, true); err != nil {
			errs = append(errs, fmt.Errorf("IDGRAPH_PUBLIC_URL %w", err))
		}
	}
	if c.StripeKey != "" && !validKey(c.StripeKey) {
		// The key itself is never echoed.
		errs = append(errs, errors.New("STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_test_… or rk_live_…)"))
	}
	if c.StripeAPIBase != "" {
		if err := checkBaseURL(c.StripeAPIBase, false); err != nil {
			errs = append(errs, fmt.Errorf("STRIPE_API_BASE %w", err))
		}
		if c.StripeKey == "" {
			errs = append(errs, errors.New("STRIPE_API_BASE needs STRIPE_SECRET_KEY too (stripe-mock takes any test key, such as sk_test_123); leave both unset to run on the embedded emulator"))
		}
	}
	if c.StripeWebhookSecret != "" {
		if err := checkWebhookSecret("STRIPE_WEBHOOK_SECRET", c.StripeWebhookSecret); err != nil {
			errs = append(errs, err)
		}
	}
	if c.EmulatorAPIKey != "" && !strings.HasPrefix(c.EmulatorAPIKey, "sk_test_") && !strings.HasPrefix(c.EmulatorAPIKey, "rk_test_") || strings.ContainsAny(c.EmulatorAPIKey, " \t\r\n") {
		errs = append(errs, errors.New("IDGRAPH_EMULATOR_API_KEY must be a test mode key (sk_test_… or rk_test_…)"))
	}
	errs = append(errs, c.checkSecurity()...)
	return errs
}

func validKey(k string) bool {
	for _, p := range []string{"sk_test_", "sk_live_", "rk_test_", "rk_live_"} {
		if rest, ok := strings.CutPrefix(k, p); ok && rest != "" && !strings.ContainsAny(rest, " \t\r\n") {
			return true
		}
	}
	return false
}

// checkBaseURL accepts an absolute http(s) URL; Stripe SDKs take a base
// without a path, while a public URL may sit under a path prefix.
func checkBaseURL(raw string, pathAllowed bool) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("must be an absolute http or https URL, not %q", raw)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("must not have a query or fragment: %q", raw)
	case !pathAllowed && strings.Trim(u.Path, "/") != "":
		return fmt.Errorf("must have no path (Stripe SDKs add /v1/… themselves): %q", raw)
	}
	return nil
}

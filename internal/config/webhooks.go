package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// EmulatorWebhooks is where the embedded emulator sends its events as
// Stripe sends webhooks, so that a backend can be built against it.
type EmulatorWebhooks struct {
	// EmulatorWebhookURLs are the endpoints, absolute http(s) URLs
	// (IDGRAPH_EMULATOR_WEBHOOK_URLS, comma-separated); empty sends none.
	EmulatorWebhookURLs []string
	// EmulatorWebhookSecret signs them (IDGRAPH_EMULATOR_WEBHOOK_SECRET,
	// whsec_…); empty means one generated, kept in the emulator's database
	// and printed at start-up, as `stripe listen` does.
	EmulatorWebhookSecret string
}

// webhookFlags holds the raw settings while flags are parsed.
type webhookFlags struct{ urls, secret string }

func (f *webhookFlags) register(fs *flag.FlagSet, env func(name, def string) string) {
	fs.StringVar(&f.urls, "emulator-webhook-urls", env("IDGRAPH_EMULATOR_WEBHOOK_URLS", ""), "comma-separated URLs the emulator sends its events to, signed as Stripe's webhooks, e.g. http://localhost:4242/webhook (IDGRAPH_EMULATOR_WEBHOOK_URLS)")
	fs.StringVar(&f.secret, "emulator-webhook-secret", env("IDGRAPH_EMULATOR_WEBHOOK_SECRET", ""), "the emulator's webhook signing secret (whsec_…); default generated, kept in its database and logged at start-up (IDGRAPH_EMULATOR_WEBHOOK_SECRET)")
}

// parse checks the settings; emulator says whether idgraph runs on its
// emulator, the only one that sends these webhooks.
func (f *webhookFlags) parse(emulator bool) (EmulatorWebhooks, error) {
	var (
		w    EmulatorWebhooks
		errs []error
	)
	for _, raw := range splitList(f.urls) {
		if err := checkEndpointURL(raw); err != nil {
			errs = append(errs, fmt.Errorf("IDGRAPH_EMULATOR_WEBHOOK_URLS %w", err))
			continue
		}
		if slices.Contains(w.EmulatorWebhookURLs, raw) {
			errs = append(errs, fmt.Errorf("IDGRAPH_EMULATOR_WEBHOOK_URLS lists %s twice", redactedURL(raw)))
			continue
		}
		w.EmulatorWebhookURLs = append(w.EmulatorWebhookURLs, raw)
	}
	if f.secret != "" {
		if err := checkWebhookSecret("IDGRAPH_EMULATOR_WEBHOOK_SECRET", f.secret); err != nil {
			errs = append(errs, err)
		}
		w.EmulatorWebhookSecret = f.secret
	}
	if !emulator && (f.urls != "" || f.secret != "") {
		errs = append(errs, errors.New("IDGRAPH_EMULATOR_WEBHOOK_URLS and IDGRAPH_EMULATOR_WEBHOOK_SECRET are for the embedded emulator; with STRIPE_SECRET_KEY, Stripe sends the webhooks: add the endpoint in Stripe's Dashboard (or `stripe listen`) and give idgraph its secret in STRIPE_WEBHOOK_SECRET"))
	}
	return w, errors.Join(errs...)
}

// checkEndpointURL accepts an absolute http(s) URL, as Stripe's webhook
// endpoints are. A password in it is never echoed.
func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("must list absolute http or https URLs, such as http://localhost:4242/webhook, not %q", truncate(redactedURL(raw)))
	case u.Fragment != "":
		return fmt.Errorf("must list URLs without a fragment: %q", truncate(redactedURL(raw)))
	}
	return nil
}

// redactedURL is raw without its password, or "…" when it does not parse
// (it might hold one).
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "…"
	}
	return u.Redacted()
}

// checkWebhookSecret accepts a webhook signing secret, whsec_…, as
// Stripe's Dashboard and `stripe listen` show them. The secret itself is
// never echoed.
func checkWebhookSecret(name, secret string) error {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); !ok || rest == "" || strings.ContainsAny(rest, " \t\r\n") {
		return fmt.Errorf("%s must be a webhook signing secret (whsec_…), as the Dashboard or `stripe listen` shows it", name)
	}
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/idgraph/idgraph/graph"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/config"
	"github.com/idgraph/idgraph/internal/emulator"
	"github.com/idgraph/idgraph/internal/tenancy"
	"github.com/idgraph/idgraph/internal/websafe"
)

// This file wires who may call idgraph and from where: the authenticator,
// the end users' policy, CORS and the Host check. server.go mounts them.

// authConfig is the authenticator's configuration. With no authentication
// configured (the emulator, or IDGRAPH_ALLOW_UNAUTHENTICATED), a request
// without a credential has full access; devSecret, the emulator's
// development signing secret, then verifies `idgraph token`'s tokens.
func authConfig(cfg config.Config, devSecret []byte, logger *slog.Logger) auth.Config {
	c := auth.Config{
		JWKSURL:      cfg.JWKSURL,
		Issuer:       cfg.Issuer,
		Audience:     cfg.Audience,
		SubjectClaim: cfg.SubjectClaim,
		APIKeyHashes: cfg.APIKeyHashes,
		ClockSkew:    cfg.ClockSkew,
		Logger:       logger.With("component", "auth"),
	}
	if cfg.HS256Secret != "" {
		c.HS256Secret = []byte(cfg.HS256Secret)
	}
	if !cfg.AuthConfigured() {
		c.Development = true
		c.HS256Secret = devSecret
	}
	return c
}

// policy is the configured verification policy for end users.
func policy(p config.Policy) tenancy.Policy {
	out := tenancy.Policy{Types: p.Types}
	for _, r := range p.DocumentRequire {
		switch r {
		case "matching_selfie":
			out.Document.RequireMatchingSelfie = true
		case "live_capture":
			out.Document.RequireLiveCapture = true
		case "id_number":
			out.Document.RequireIDNumber = true
		}
	}
	out.Document.AllowedTypes = p.DocumentAllowedTypes
	return out
}

// corsOrigins are the configured origins or, on the emulator, any local
// development server's.
func corsOrigins(cfg config.Config) []string {
	if cfg.CORSOrigins == nil && cfg.Emulator() {
		return websafe.DevOrigins()
	}
	return cfg.CORSOrigins
}

// allowedHosts are the Host names idgraph answers: the public URL's, the
// configured ones and, when it listens on loopback (or on every interface,
// loopback included), the loopback names. DNS rebinding sends the
// attacker's own host name, so these never let it in.
func allowedHosts(cfg config.Config) []string {
	host, _, _ := net.SplitHostPort(cfg.Addr)
	ip := net.ParseIP(host)
	loopback := host == "" || host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified()))
	return websafe.AllowedHosts(cfg.PublicURL, cfg.AllowedHosts, loopback)
}

// emulatorKeys are the emulator's REST API keys: idgraph's own, random for
// each start so that no published constant opens /v1, and, when
// authentication is configured, the one other SDKs use. Without
// authentication (development), nil: any test key, as before.
func emulatorKeys(cfg config.Config) (own, external string, keys []string) {
	own = "rk_test_idgraph_" + rand.Text()
	if !cfg.AuthConfigured() {
		return own, "", nil
	}
	external = cfg.EmulatorAPIKey
	if external == "" {
		external = "rk_test_" + rand.Text()
	}
	return own, external, []string{own, external}
}

// logCallers says at start-up who can call idgraph.
func logCallers(logger *slog.Logger, cfg config.Config, ac auth.Config, origins []string, externalKey string) {
	var who []string
	switch {
	case ac.Development && cfg.Emulator():
		who = append(who, "anyone without a credential, with full access (development: configure IDGRAPH_AUTH_* or IDGRAPH_API_KEY_SHA256 to require one)",
			"end users with a token from `go run . token -sub <user>`")
	case ac.Development:
		who = append(who, "anyone, with full access: no authentication (IDGRAPH_ALLOW_UNAUTHENTICATED=true); put idgraph behind your own")
	}
	if cfg.JWKSURL != "" {
		who = append(who, fmt.Sprintf("end users with a JWT signed by a key of %s", cfg.JWKSURL))
	}
	if cfg.HS256Secret != "" {
		who = append(who, "end users with an HS256 JWT of IDGRAPH_AUTH_HS256_SECRET (development)")
	}
	if n := len(cfg.APIKeyHashes); n > 0 {
		who = append(who, fmt.Sprintf("servers with one of %d API keys", n))
	}
	logger.Info("who can call /graphql: "+strings.Join(who, "; "),
		"production", cfg.Production, "cors_origins", strings.Join(origins, ","))
	if externalKey != "" {
		// Printed once, as the setting promises: it opens the emulator's
		// test data only, never real Stripe.
		logger.Info("the emulator's REST API at /v1 accepts only this test key (set IDGRAPH_EMULATOR_API_KEY to choose it)", "key", externalKey)
	}
}

// schemaFor serves the SDL, in production to server keys only: the schema
// is an attacker's map.
func schemaFor(production bool, sdl []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if production && !auth.FromContext(r.Context()).FullAccess() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(sdl)
	}
}

// devSecret reads the emulator's development signing secret when no
// authentication is configured, for the tokens of `idgraph token`.
func devSecret(ctx context.Context, cfg config.Config, em *emulator.Emulator) ([]byte, error) {
	if cfg.AuthConfigured() {
		return nil, nil
	}
	return em.DevSigningSecret(ctx)
}

// newBudget builds the cost budgets, or nil when IDGRAPH_BUDGET=off. The
// global budget guards Stripe's rate limits when idgraph talks to Stripe's
// own API (not the emulator, not stripe-mock).
func newBudget(ctx context.Context, cfg config.Config, logger *slog.Logger, o budget.Observer) (*budget.Budget, error) {
	if !cfg.Budget {
		logger.Warn("cost budgets are off (IDGRAPH_BUDGET=off): any caller may spend Stripe's rate limit")
		return nil, nil
	}
	bc := budget.Config{Capacity: cfg.BudgetCapacity, RestoreRate: cfg.BudgetRestoreRate,
		RedisURL: cfg.RedisURL, Logger: logger.With("component", "budget"), Observer: o}
	if !cfg.Emulator() && cfg.StripeAPIBase == "" {
		g := budget.StripeLimits(cfg.LiveKey())
		if cfg.StripeReadRate > 0 {
			g.ReadRate, g.ReadBurst = cfg.StripeReadRate, cfg.StripeReadRate
		}
		if cfg.StripeWriteRate > 0 {
			g.WriteRate, g.WriteBurst = cfg.StripeWriteRate, cfg.StripeWriteRate
		}
		bc.Global = g
	}
	return budget.New(ctx, bc)
}

// authUnlessWebSocket authenticates /graphql's requests, except a WebSocket
// upgrade without an Authorization header: a browser cannot set one there,
// so the graph handler authenticates the connection_init's token instead.
func authUnlessWebSocket(authn *auth.Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		authed := authn.Middleware(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if graph.IsWebSocket(r) && r.Header.Get("Authorization") == "" {
				next.ServeHTTP(w, r)
				return
			}
			authed.ServeHTTP(w, r)
		})
	}
}

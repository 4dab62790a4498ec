package main

import (
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/idgraph/idgraph/internal/config"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/metrics"
	"github.com/idgraph/idgraph/internal/sessioncache"
)

// newSessionCache wraps next in the session cache as cfg says: reads are
// always merged; sessions are cached only where an event source tells the
// cache of changes (the emulator's events, or Stripe's webhooks with
// STRIPE_WEBHOOK_SECRET), in Redis when shared. release ends the cache's
// detached work, then closes its Redis client.
func newSessionCache(cfg config.Config, next identity.Client, hub *events.Hub, m *metrics.Metrics, logger *slog.Logger) (_ *sessioncache.Client, release func() error, err error) {
	o := sessioncache.Options{
		Cache:    cfg.CacheMode != config.CacheOff && (cfg.Emulator() || cfg.StripeWebhookSecret != ""),
		TTL:      cfg.CacheTTL,
		MaxBytes: cfg.CacheMaxBytes,
		Events:   hub, FetchTimeout: cfg.OperationTimeout, Observer: m,
		Logger: logger.With("component", "sessioncache"),
	}
	closeRedis := func() error { return nil }
	switch {
	case !o.Cache && cfg.CacheMode != config.CacheOff:
		logger.Warn("session cache off: without STRIPE_WEBHOOK_SECRET idgraph hears of no change, so concurrent reads are merged but nothing is kept")
	case !o.Cache:
		logger.Info("session cache off (IDGRAPH_CACHE=off): concurrent reads are merged, nothing is kept")
	case cfg.CacheShared(cfg.RedisURL):
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("session cache: IDGRAPH_REDIS_URL: %w", err)
		}
		rdb := redis.NewClient(opts)
		o.Redis, closeRedis = rdb, rdb.Close
		logger.Info("session cache: shared in Redis", "ttl", cfg.CacheTTL)
	default:
		logger.Info("session cache: in process", "ttl", cfg.CacheTTL, "max_bytes", cfg.CacheMaxBytes)
	}
	c := sessioncache.New(next, o)
	m.CacheSize(c.Size)
	return c, func() error { c.Close(); return closeRedis() }, nil
}

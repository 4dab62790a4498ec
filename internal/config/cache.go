package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"
)

// Cache is how idgraph keeps sessions between reads (internal/sessioncache).
type Cache struct {
	// CacheMode is where sessions are cached (IDGRAPH_CACHE): CacheAuto,
	// CacheOff, CacheProcess or CacheRedis. Concurrent identical reads are
	// merged in every mode.
	CacheMode string
	// CacheTTL bounds how long a cached session is served: the staleness
	// when an event is lost (IDGRAPH_CACHE_TTL).
	CacheTTL time.Duration
	// CacheMaxBytes bounds the in-process cache (IDGRAPH_CACHE_MAX_BYTES).
	CacheMaxBytes int64
}

// The cache modes.
const (
	// CacheAuto caches in Redis with IDGRAPH_REDIS_URL, else in process.
	CacheAuto = "auto"
	// CacheOff caches nothing; reads are still merged.
	CacheOff = "off"
	// CacheProcess caches in each replica's memory, even with Redis:
	// no session goes to Redis.
	CacheProcess = "process"
	// CacheRedis shares the cache through IDGRAPH_REDIS_URL.
	CacheRedis = "redis"
)

// Defaults of the cache settings.
const (
	DefaultCacheTTL      = 5 * time.Second
	DefaultCacheMaxBytes = 64 << 20
	maxCacheTTL          = 10 * time.Minute
)

// cacheFlags holds the raw settings while flags are parsed.
type cacheFlags struct{ mode, ttl, maxBytes string }

func (f *cacheFlags) register(fs *flag.FlagSet, env func(name, def string) string) {
	fs.StringVar(&f.mode, "cache", env("IDGRAPH_CACHE", CacheAuto), "where sessions are cached between reads: auto (Redis with IDGRAPH_REDIS_URL, else in process), process, redis or off (IDGRAPH_CACHE)")
	fs.StringVar(&f.ttl, "cache-ttl", env("IDGRAPH_CACHE_TTL", DefaultCacheTTL.String()), "longest a cached session is served without an event: the staleness when one is lost (IDGRAPH_CACHE_TTL)")
	fs.StringVar(&f.maxBytes, "cache-max-bytes", env("IDGRAPH_CACHE_MAX_BYTES", strconv.Itoa(DefaultCacheMaxBytes)), "memory the in-process cache may hold, in bytes (IDGRAPH_CACHE_MAX_BYTES)")
}

func (f *cacheFlags) parse(redisURL string) (Cache, error) {
	var (
		c    Cache
		errs []error
		err  error
	)
	switch c.CacheMode = f.mode; f.mode {
	case CacheAuto, CacheOff, CacheProcess:
	case CacheRedis:
		if redisURL == "" {
			errs = append(errs, errors.New("IDGRAPH_CACHE=redis needs IDGRAPH_REDIS_URL"))
		}
	default:
		errs = append(errs, fmt.Errorf("IDGRAPH_CACHE must be auto, process, redis or off, not %q", truncate(f.mode)))
	}
	if c.CacheTTL, err = time.ParseDuration(f.ttl); err != nil || c.CacheTTL < 100*time.Millisecond || c.CacheTTL > maxCacheTTL {
		errs = append(errs, fmt.Errorf("IDGRAPH_CACHE_TTL must be a duration from 100ms to %v, such as 5s, not %q", maxCacheTTL, truncate(f.ttl)))
	}
	if c.CacheMaxBytes, err = strconv.ParseInt(f.maxBytes, 10, 64); err != nil || c.CacheMaxBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("IDGRAPH_CACHE_MAX_BYTES must be a number of bytes of at least 1048576, not %q", truncate(f.maxBytes)))
	}
	return c, errors.Join(errs...)
}

// CacheShared tells whether the cache goes to Redis.
func (c Cache) CacheShared(redisURL string) bool {
	return redisURL != "" && (c.CacheMode == CacheAuto || c.CacheMode == CacheRedis)
}

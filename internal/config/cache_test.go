package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestCacheSettings(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantErr    string
		wantMode   string
		wantTTL    time.Duration
		wantShared bool
	}{
		{name: "by default the cache is in process for 5 s", wantMode: CacheAuto, wantTTL: 5 * time.Second},
		{name: "with Redis the default cache is shared", env: map[string]string{"IDGRAPH_REDIS_URL": "redis://localhost:6379/0"},
			wantMode: CacheAuto, wantTTL: DefaultCacheTTL, wantShared: true},
		{name: "process keeps sessions out of Redis", env: map[string]string{"IDGRAPH_REDIS_URL": "redis://localhost:6379/0", "IDGRAPH_CACHE": "process"},
			wantMode: CacheProcess, wantTTL: DefaultCacheTTL},
		{name: "off, with a TTL of its own", env: map[string]string{"IDGRAPH_CACHE": "off", "IDGRAPH_CACHE_TTL": "2s"}, wantMode: CacheOff, wantTTL: 2 * time.Second},
		{name: "redis needs a Redis URL", env: map[string]string{"IDGRAPH_CACHE": "redis"}, wantErr: "IDGRAPH_CACHE=redis needs IDGRAPH_REDIS_URL"},
		{name: "an unknown mode is refused", env: map[string]string{"IDGRAPH_CACHE": "disk"}, wantErr: "IDGRAPH_CACHE must be auto, process, redis or off"},
		{name: "a TTL past ten minutes is refused", env: map[string]string{"IDGRAPH_CACHE_TTL": "1h"}, wantErr: "IDGRAPH_CACHE_TTL must be a duration from 100ms"},
		{name: "a tiny memory bound is refused", env: map[string]string{"IDGRAPH_CACHE_MAX_BYTES": "1000"}, wantErr: "IDGRAPH_CACHE_MAX_BYTES must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(nil, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.CacheMode != tt.wantMode || c.CacheTTL != tt.wantTTL || c.CacheShared(c.RedisURL) != tt.wantShared || c.CacheMaxBytes != DefaultCacheMaxBytes {
				t.Errorf("got %+v, shared %v", c.Cache, c.CacheShared(c.RedisURL))
			}
		})
	}
}

package main

import (
	"errors"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"testing"
)

func TestTuneGC(t *testing.T) {
	const gib = 1 << 30
	share := memoryLimitShare // a variable: the product is not a whole constant
	limit := int64(gib * share)
	noCgroup := func(string) ([]byte, error) { return nil, os.ErrNotExist }
	cgroup := func(content string) func(string) ([]byte, error) {
		return func(path string) ([]byte, error) {
			if path != cgroupMemoryMax {
				return nil, errors.New("read " + path)
			}
			return []byte(content), nil
		}
	}
	tests := []struct {
		name        string
		env         map[string]string
		readFile    func(string) ([]byte, error)
		wantPercent int   // 77 stands for whatever the runtime took from GOGC
		wantLimit   int64 // math.MaxInt64 stands for none, Go's default
	}{
		{"without GOGC idgraph collects less often", nil, noCgroup, defaultGCPercent, math.MaxInt64},
		{"GOGC set by the operator wins", map[string]string{"GOGC": "50"}, noCgroup, 77, math.MaxInt64},
		{"a container's memory limit bounds the heap at 90% of it", nil, cgroup("1073741824\n"), defaultGCPercent, limit},
		{"a container without a limit leaves the heap unbounded", nil, cgroup("max\n"), defaultGCPercent, math.MaxInt64},
		{"GOMEMLIMIT set by the operator wins", map[string]string{"GOMEMLIMIT": "100MiB"}, cgroup("1073741824"), defaultGCPercent, math.MaxInt64},
		{"an unreadable limit is none", nil, cgroup("lots"), defaultGCPercent, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldPercent := debug.SetGCPercent(77)
			oldLimit := debug.SetMemoryLimit(math.MaxInt64)
			t.Cleanup(func() {
				debug.SetGCPercent(oldPercent)
				debug.SetMemoryLimit(oldLimit)
			})
			tuneGC(func(k string) string { return tt.env[k] }, tt.readFile)
			if got := debug.SetGCPercent(77); got != tt.wantPercent {
				t.Errorf("GC percent %d, want %d", got, tt.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit %s, want %s", strconv.FormatInt(got, 10), strconv.FormatInt(tt.wantLimit, 10))
			}
		})
	}
}

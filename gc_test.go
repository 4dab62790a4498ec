package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want int
	}{
		{"without GOGC idgraph collects less often", nil, defaultGCPercent},
		{"GOGC set by the operator wins", map[string]string{"GOGC": "50"}, 77},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 77 stands for whatever the runtime took from GOGC.
			old := debug.SetGCPercent(77)
			t.Cleanup(func() { debug.SetGCPercent(old) })
			tuneGC(func(k string) string { return tt.env[k] })
			if got := debug.SetGCPercent(77); got != tt.want {
				t.Errorf("GC percent %d, want %d", got, tt.want)
			}
		})
	}
}

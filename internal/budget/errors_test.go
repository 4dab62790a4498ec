package budget

import (
	"testing"
	"time"
)

func TestRetryAfterSecondsRoundsUp(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{{20 * time.Millisecond, 1}, {time.Second, 1}, {1001 * time.Millisecond, 2}, {2 * time.Second, 2}} {
		if got := (&ThrottledError{RetryAfter: tc.d}).RetryAfterSeconds(); got != tc.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

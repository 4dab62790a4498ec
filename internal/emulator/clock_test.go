package emulator

import (
	"testing"
	"time"
)

func TestManualClock(t *testing.T) {
	c := NewManualClock(epoch)
	var ran []string
	c.AfterFunc(2*time.Second, func() { ran = append(ran, "b") })
	c.AfterFunc(time.Second, func() { ran = append(ran, "a") })
	stopped := c.AfterFunc(time.Second, func() { ran = append(ran, "stopped") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once")
	}
	c.Advance(1500 * time.Millisecond)
	if len(ran) != 1 || ran[0] != "a" || !c.Now().Equal(epoch.Add(1500*time.Millisecond)) {
		t.Fatalf("after 1.5s: ran %v now %v", ran, c.Now())
	}
	c.AfterFunc(0, func() { ran = append(ran, "now:"+c.Now().Sub(epoch).String()) })
	c.Advance(time.Second)
	if want := "a,now:1.5s,b"; join(ran) != want || c.Pending() != 0 {
		t.Fatalf("ran %v, want %s", ran, want)
	}
}

func join(v []string) string {
	out := ""
	for i, s := range v {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

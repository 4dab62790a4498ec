package accesslog

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder records each write it gets, and signals it.
type recorder struct {
	mu     sync.Mutex
	writes []string
	wrote  chan struct{}
}

func newRecorder() *recorder { return &recorder{wrote: make(chan struct{}, 100)} }

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.writes = append(r.writes, string(p))
	r.mu.Unlock()
	r.wrote <- struct{}{}
	return len(p), nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

func TestBufferedWriterGathersLines(t *testing.T) {
	rec := newRecorder()
	w := NewBufferedWriter(rec)
	w.interval = time.Hour // only Flush writes out
	var want bytes.Buffer
	for i := range 100 {
		line := strings.Repeat("x", i) + "\n"
		want.WriteString(line)
		if n, err := w.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := rec.got(); len(got) != 1 || got[0] != want.String() {
		t.Errorf("%d writes; want the 100 lines in one, in order", len(got))
	}
}

func TestBufferedWriterWritesOutByItself(t *testing.T) {
	rec := newRecorder()
	w := NewBufferedWriter(rec)
	w.Write([]byte("one line\n"))
	select {
	case <-rec.wrote:
	case <-time.After(10 * time.Second):
		t.Fatal("a line waited for ever")
	}
	if got := rec.got(); len(got) != 1 || got[0] != "one line\n" {
		t.Errorf("wrote %q", got)
	}
	// Once the buffer is full, without waiting (and not by the timer).
	w.interval = time.Hour
	line := strings.Repeat("y", 1000) + "\n"
	for range bufferSize/len(line) + 1 {
		w.Write([]byte(line))
	}
	if got := rec.got(); len(got) != 2 || len(got[1]) != bufferSize/len(line)*len(line) {
		t.Errorf("after a full buffer: %d writes", len(got))
	}
	// A line longer than the buffer goes out whole, after what waited.
	big := strings.Repeat("z", bufferSize+1)
	w.Write([]byte(big))
	if got := rec.got(); len(got) != 4 || got[2] != line || got[3] != big {
		t.Errorf("a long line: %d writes", len(got))
	}
}

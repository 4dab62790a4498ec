package accesslog

import (
	"io"
	"sync"
	"time"
)

const (
	// flushInterval is the longest a line waits in a BufferedWriter.
	flushInterval = 50 * time.Millisecond
	// bufferSize is how much a BufferedWriter gathers before it writes out
	// at once: about 150 access lines.
	bufferSize = 32 << 10
)

// BufferedWriter gathers log lines and writes them out together, at most
// flushInterval after the first of them, or as soon as bufferSize bytes
// wait. Written straight to a file or pipe, every line of the access log
// is a system call of its own: under load, 2% of idgraph's CPU time.
//
// The price: the lines of the last 50 ms are lost if the process dies
// without Flush (a fatal runtime error, SIGKILL). A panic in a request is
// recovered and logged like any line; run flushes on its way out.
type BufferedWriter struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer // armed while buf holds lines
	armed bool
	// interval is flushInterval; tests make it long.
	interval time.Duration
}

// NewBufferedWriter returns a BufferedWriter that writes to w.
func NewBufferedWriter(w io.Writer) *BufferedWriter {
	b := &BufferedWriter{w: w, buf: make([]byte, 0, bufferSize), interval: flushInterval}
	b.timer = time.AfterFunc(time.Hour, func() { b.Flush() })
	b.timer.Stop()
	return b
}

// Write gathers p (one log line, as slog's handlers write them); it writes
// out what waits first when p would not fit.
func (b *BufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > bufferSize {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > bufferSize {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	if !b.armed {
		b.armed = true
		b.timer.Reset(b.interval)
	}
	return len(p), nil
}

// Flush writes out what waits.
func (b *BufferedWriter) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *BufferedWriter) flushLocked() error {
	if b.armed {
		b.timer.Stop()
		b.armed = false
	}
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

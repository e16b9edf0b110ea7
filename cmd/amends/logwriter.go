package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logWriter buffers the log (one line per request under load) and writes
// it out every interval and when closed, instead of one write to the
// terminal or pipe per line: a request's line costs a copy, not a system
// call. Lines stay whole (each Write is one record of the slog handler),
// and at most interval's worth is held back.
type logWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// newLogWriter writes to w, flushing every interval until Close.
func newLogWriter(w io.Writer, interval time.Duration) *logWriter {
	l := &logWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.Flush()
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

// Write buffers p (writing out what is held first when p does not fit).
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Flush writes out what is held.
func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Flush()
}

// Close stops the timer and writes out what is held; later writes are
// still buffered and need another Flush.
func (l *logWriter) Close() error {
	close(l.stop)
	<-l.done
	return l.Flush()
}

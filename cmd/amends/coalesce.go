package main

import (
	"net"
	"sync"
	"time"
)

// net/http writes a response through a 4 KB buffer, so a response larger
// than that (the status page's gzip form is about 4 KB with its headers)
// leaves in two or more system calls: the buffer's first 4 KB, then the
// rest when the handler returns. Over loopback or a fast network each
// write costs about as much as everything else the cached status page
// does, so Amends holds a response's writes and sends them in one.
//
// A coalescingConn holds what the server writes until the server next
// reads, sets a deadline or closes the connection. net/http always does
// one of these when a response is done (it resets the deadlines and reads
// the next request), and before it reads a request body after writing
// "100 Continue". Nothing Amends serves is streamed, so holding a
// response until its handler returns changes no answer, only how many
// writes carry it; past maxHeld bytes the writes go out at once, so a
// large export is never held whole in memory.

// maxHeld is the most a connection holds before writing out.
const maxHeld = 32 << 10

// heldBuffers keeps the buffers of connections that hold nothing at the
// moment, so that an idle keep-alive connection holds no memory.
var heldBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// coalescingListener accepts connections that coalesce their writes.
type coalescingListener struct{ net.Listener }

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c}, nil
}

type coalescingConn struct {
	net.Conn
	mu   sync.Mutex
	held *[]byte // nil when nothing is held
}

// Write holds p, or writes out what is held and then p when together they
// pass maxHeld.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	if c.held != nil {
		n = len(*c.held)
	}
	if n+len(p) > maxHeld {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
		return c.Conn.Write(p)
	}
	if c.held == nil {
		c.held = heldBuffers.Get().(*[]byte)
	}
	*c.held = append(*c.held, p...)
	return len(p), nil
}

// flushLocked writes out what is held, in one write.
func (c *coalescingConn) flushLocked() error {
	if c.held == nil {
		return nil
	}
	b := c.held
	c.held = nil
	_, err := c.Conn.Write(*b)
	if cap(*b) <= 4*maxHeld {
		*b = (*b)[:0]
		heldBuffers.Put(b)
	}
	return err
}

func (c *coalescingConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

// Read writes out what is held first: the peer may be waiting for it
// before it sends anything more. net/http also starts a read while a
// handler runs (to notice a client that goes away); started late on a
// busy machine, it sends what the handler wrote so far early: one write
// more, nothing out of order.
func (c *coalescingConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// The deadlines: what is held goes out under the deadline set while it
// was written.

func (c *coalescingConn) SetDeadline(t time.Time) error {
	c.flush()
	return c.Conn.SetDeadline(t)
}

func (c *coalescingConn) SetReadDeadline(t time.Time) error {
	c.flush()
	return c.Conn.SetReadDeadline(t)
}

func (c *coalescingConn) SetWriteDeadline(t time.Time) error {
	c.flush()
	return c.Conn.SetWriteDeadline(t)
}

// CloseWrite writes out what is held and shuts the sending side, as
// net/http does before closing a connection after an error response.
func (c *coalescingConn) CloseWrite() error {
	c.flush()
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *coalescingConn) Close() error {
	c.flush()
	return c.Conn.Close()
}

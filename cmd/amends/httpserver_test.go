package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"
)

// countingListener counts the writes its connections make to the network.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// Each response of up to the server's write buffer, its header with it,
// leaves in one write to the network, one after another on a keep-alive
// connection; a larger one arrives whole. A request header of 12 KiB is
// taken.
func TestHTTPServerSendsEachResponseInOneWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingListener{Listener: ln}
	srv := newHTTPServer(func(ctx *fasthttp.RequestCtx) {
		n, _ := strconv.Atoi(string(ctx.QueryArgs().Peek("n")))
		ctx.SetContentType("application/octet-stream")
		ctx.SetBody([]byte(strings.Repeat("x", n)))
	}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go srv.Serve(counted)
	t.Cleanup(func() { srv.Shutdown() })

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	big := strings.Repeat("a", 12<<10)
	for _, n := range []int{0, 100, 4022, 15 << 10, 200 << 10, 4022} {
		before := counted.writes.Load()
		fmt.Fprintf(c, "GET /?n=%d HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", n, big)
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(b) != n {
			t.Fatalf("n=%d: %d with %d bytes", n, res.StatusCode, len(b))
		}
		if w := counted.writes.Load() - before; n < 15<<10+1 && w != 1 {
			t.Errorf("n=%d: %d writes, want 1", n, w)
		}
	}
}

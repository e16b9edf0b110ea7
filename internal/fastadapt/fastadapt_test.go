package fastadapt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// serve runs h behind Handler on a fasthttp server configured as amends
// serve's (bodies streamed past 1 KiB here) and returns its base URL and
// what the server logged.
func serve(t *testing.T, h http.Handler) (string, *bytes.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logged syncBuffer
	srv := &fasthttp.Server{
		Handler:                      Handler(h, slog.New(slog.NewTextHandler(&logged, nil))),
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		StreamRequestBody:            true,
		MaxRequestBodySize:           1 << 10,
		DisablePreParseMultipartForm: true,
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	return "http://" + ln.Addr().String(), &logged.buf
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// The handler sees the request net/http would give it: method, target,
// Host, protocol, client address, and every header with all its values.
func TestRequestAsNetHTTPMakesIt(t *testing.T) {
	var got *http.Request
	var gotHeader http.Header
	base, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotHeader = r, r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	}))
	req, _ := http.NewRequest(http.MethodGet, base+"/a/b%2Fc?x=1&y=%C3%A9", nil)
	req.Host = "status.example.com"
	req.Header.Add("X-Forwarded-For", "203.0.113.7")
	req.Header.Add("X-Forwarded-For", "198.51.100.2")
	req.Header.Set("Cookie", "amends_session=abc; other=1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got.Method != "GET" || got.RequestURI != "/a/b%2Fc?x=1&y=%C3%A9" || got.URL.Path != "/a/b/c" || got.URL.RawPath != "/a/b%2Fc" || got.URL.Query().Get("y") != "é" {
		t.Errorf("target: method %q, RequestURI %q, URL %#v", got.Method, got.RequestURI, got.URL)
	}
	if got.Host != "status.example.com" || gotHeader.Get("Host") != "" {
		t.Errorf("Host %q, Host in the header map %q", got.Host, gotHeader.Get("Host"))
	}
	if got.Proto != "HTTP/1.1" || got.ProtoMajor != 1 || got.ProtoMinor != 1 {
		t.Errorf("protocol %q %d.%d", got.Proto, got.ProtoMajor, got.ProtoMinor)
	}
	if host, _, err := net.SplitHostPort(got.RemoteAddr); err != nil || host != "127.0.0.1" {
		t.Errorf("RemoteAddr %q", got.RemoteAddr)
	}
	if xff := gotHeader["X-Forwarded-For"]; len(xff) != 2 || xff[0] != "203.0.113.7" || xff[1] != "198.51.100.2" {
		t.Errorf("X-Forwarded-For %q", xff)
	}
	if c, err := got.Cookie("amends_session"); err != nil || c.Value != "abc" {
		t.Errorf("cookie: %v %v", c, err)
	}
	if got.Body != http.NoBody || got.ContentLength != 0 {
		t.Errorf("a GET without a body: Body %T, ContentLength %d", got.Body, got.ContentLength)
	}
}

// A body larger than what the server reads ahead reaches the handler
// whole, as a stream, with its length; so does a chunked one. The server
// never reads a body the handler refuses to read.
func TestBodiesAreStreamedWhole(t *testing.T) {
	base, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/refuse" {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(w, "%d %d %v %s", r.ContentLength, len(b), r.TransferEncoding, hex.EncodeToString(sum[:4]))
	}))
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, past the 1 KiB read ahead
	sum := sha256.Sum256(big)
	res, err := http.Post(base+"/", "application/octet-stream", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if want := fmt.Sprintf("%d %d [] %s", len(big), len(big), hex.EncodeToString(sum[:4])); string(b) != want {
		t.Errorf("sized body: got %q, want %q", b, want)
	}

	// No length given: the client sends it chunked.
	res, err = http.Post(base+"/", "application/octet-stream", io.MultiReader(bytes.NewReader(big)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if want := fmt.Sprintf("-1 %d [chunked] %s", len(big), hex.EncodeToString(sum[:4])); string(b) != want {
		t.Errorf("chunked body: got %q, want %q", b, want)
	}

	small := []byte("name=x&value=y")
	res, err = http.Post(base+"/", "application/x-www-form-urlencoded", bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	ssum := sha256.Sum256(small)
	if want := fmt.Sprintf("%d %d [] %s", len(small), len(small), hex.EncodeToString(ssum[:4])); string(b) != want {
		t.Errorf("small body: got %q, want %q", b, want)
	}

	// Refused without reading: the answer comes while the client has
	// sent only what the server read ahead.
	pr, pw := io.Pipe()
	go func() {
		pw.Write(big[:4096])
		time.Sleep(2 * time.Second)
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/refuse", pr)
	req.ContentLength = 256 << 20
	start := time.Now()
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || time.Since(start) > time.Second {
		t.Errorf("refused upload: status %d after %v", res.StatusCode, time.Since(start))
	}
}

// The response is what the handler wrote: status, every header value
// (two cookies, two Vary lines), the body, a sniffed Content-Type where
// it set none, and for HEAD the length it declared.
func TestResponseAsTheHandlerWroteIt(t *testing.T) {
	base, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cookies":
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", HttpOnly: true})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Secure: true})
			w.Header().Add("Vary", "Cookie")
			w.Header().Add("Vary", "Accept-Encoding")
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, "made")
			io.WriteString(w, " here")
		case "/sniff":
			io.WriteString(w, "<!doctype html><p>hi")
		case "/head":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "1234")
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				w.Write(bytes.Repeat([]byte("x"), 1234))
			}
		case "/redirect":
			http.Redirect(w, r, "/there", http.StatusSeeOther)
		case "/not-modified":
			w.Header().Set("ETag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	res, body := get("GET", "/cookies")
	if res.StatusCode != http.StatusCreated || body != "made here" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("/cookies: %d %q %q", res.StatusCode, body, res.Header.Get("Content-Type"))
	}
	if c := res.Cookies(); len(c) != 2 || c[0].Name != "a" || !c[0].HttpOnly || c[1].Name != "b" || !c[1].Secure {
		t.Errorf("cookies: %v", c)
	}
	if v := strings.Join(res.Header.Values("Vary"), ","); v != "Cookie,Accept-Encoding" {
		t.Errorf("Vary %q", v)
	}
	if res, body = get("GET", "/sniff"); res.Header.Get("Content-Type") != "text/html; charset=utf-8" || body != "<!doctype html><p>hi" {
		t.Errorf("/sniff: %q %q", res.Header.Get("Content-Type"), body)
	}
	if res, body = get("HEAD", "/head"); res.StatusCode != 200 || res.ContentLength != 1234 || body != "" {
		t.Errorf("HEAD: %d, length %d, body %q", res.StatusCode, res.ContentLength, body)
	}
	if res, body = get("GET", "/head"); res.ContentLength != 1234 || len(body) != 1234 {
		t.Errorf("GET: length %d, body %d bytes", res.ContentLength, len(body))
	}
	if res, _ = get("GET", "/redirect"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/there" {
		t.Errorf("redirect: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body = get("GET", "/not-modified"); res.StatusCode != http.StatusNotModified || body != "" || res.Header.Get("ETag") != `"x"` {
		t.Errorf("304: %d %q %q", res.StatusCode, body, res.Header.Get("ETag"))
	}
	if res, _ = get("GET", "/nothing"); res.StatusCode != http.StatusOK || res.ContentLength != 0 {
		t.Errorf("a handler that writes nothing: %d, length %d", res.StatusCode, res.ContentLength)
	}
}

// A panic answers 500, is logged with its stack, and closes the
// connection; the server goes on serving. http.ErrAbortHandler closes
// the connection without a log line.
func TestPanicsAnswer500AndCloseTheConnection(t *testing.T) {
	base, logged := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			w.Header().Set("X-Half", "written")
			io.WriteString(w, "half")
			panic("boom")
		case "/abort":
			panic(http.ErrAbortHandler)
		}
		io.WriteString(w, "fine")
	}))
	res, err := http.Get(base + "/panic")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError || !res.Close || res.Header.Get("X-Half") != "" || strings.Contains(string(b), "half") {
		t.Errorf("panic: %d, close %v, header %q, body %q", res.StatusCode, res.Close, res.Header.Get("X-Half"), b)
	}
	if l := logged.String(); !strings.Contains(l, "panic serving request") || !strings.Contains(l, "boom") || !strings.Contains(l, "fastadapt_test.go") {
		t.Errorf("log: %s", l)
	}
	res, err = http.Get(base + "/abort")
	if err == nil {
		res.Body.Close()
		if !res.Close {
			t.Errorf("abort: %d without closing the connection", res.StatusCode)
		}
	}
	res, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "fine" {
		t.Errorf("after the panics: %q", b)
	}
}

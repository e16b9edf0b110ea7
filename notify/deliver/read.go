package deliver

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Header is one header line of a message, its value decoded.
type Header struct{ Name, Value string }

// ReadMail is a message taken apart for reading: its headers in order and
// its plain-text and HTML bodies.
type ReadMail struct {
	Headers []Header
	Subject string
	Text    string
	HTML    string
}

// ReadMessage takes apart a message as Message makes it (multipart/
// alternative, quoted-printable parts) or a single-part one; it is how the
// Outbox shows the local mail spool.
func ReadMessage(raw []byte) (ReadMail, error) {
	var out ReadMail
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return out, err
	}
	dec := new(mime.WordDecoder)
	for _, name := range headerOrder(raw) {
		for _, v := range m.Header[name] {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			out.Headers = append(out.Headers, Header{Name: name, Value: v})
			if name == "Subject" {
				out.Subject = v
			}
		}
	}
	typ, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		typ = "text/plain"
	}
	if !strings.HasPrefix(typ, "multipart/") {
		body, err := decodePart(m.Body, m.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return out, err
		}
		if typ == "text/html" {
			out.HTML = body
		} else {
			out.Text = body
		}
		return out, nil
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, err
		}
		body, err := decodePart(p, p.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return out, err
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/html":
			out.HTML = body
		case "text/plain", "":
			out.Text = body
		}
	}
	return out, nil
}

func decodePart(r io.Reader, encoding string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(encoding), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}

// headerOrder returns the names of raw's header lines in the order they
// come, each once, in canonical form.
func headerOrder(raw []byte) []string {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(head), "\r\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

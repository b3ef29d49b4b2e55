package load

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// The lean HTTP/1.1 client: requests are serialised once (or rendered into
// a reused buffer when templated), responses are parsed in place from a
// bufio.Reader, and each connection is reused for as long as the server
// keeps it alive. A request costs one write and, usually, one read: no
// goroutines, no allocations.

func sortedKeys(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }

// bodyMethods are the methods whose requests always carry a Content-Length.
var bodyMethods = map[string]bool{http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true}

// appendRequest appends the serialised request for seq to dst. scratch is
// a buffer for the rendered body; the grown buffers are returned through
// the caller's reuse of dst.
func (t *target) appendRequest(dst []byte, scratch *[]byte, seq, tseq int64, seed uint64, version string) []byte {
	var body []byte
	if scratch != nil {
		*scratch = t.body.render((*scratch)[:0], seq, tseq, seed, t.Data)
		body = *scratch
	} else {
		body = t.body.render(nil, seq, tseq, seed, t.Data)
	}
	dst = append(dst, t.method...)
	dst = append(dst, ' ')
	dst = t.reqPath.render(dst, seq, tseq, seed, t.Data)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, t.host...)
	dst = append(dst, "\r\n"...)
	hasUA := false
	for _, h := range t.headers {
		if h.key == "Host" || h.key == "Content-Length" || h.key == "Connection" || h.key == "Transfer-Encoding" {
			continue // framing is ours
		}
		hasUA = hasUA || h.key == "User-Agent"
		dst = append(dst, h.key...)
		dst = append(dst, ": "...)
		dst = h.value.render(dst, seq, tseq, seed, t.Data)
		dst = append(dst, "\r\n"...)
	}
	if !hasUA {
		dst = append(dst, "User-Agent: headroom/"...)
		dst = append(dst, version...)
		dst = append(dst, "\r\n"...)
	}
	if len(body) > 0 || bodyMethods[t.method] {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	return append(dst, body...)
}

// h1conn is one keep-alive connection of a worker to one target address.
type h1conn struct {
	conn     net.Conn
	io       io.ReadWriter // raw system calls on conn, or conn itself
	br       *bufio.Reader
	used     bool      // a request completed on it: the server may have closed it since
	deadline time.Time // the connection's deadline, set ahead of the requests'
}

// maxSlack bounds how far past a request's deadline its connection's
// deadline may be set: moving a deadline costs a timer update, so it moves
// in steps of the slack, not on every request. A response that completes
// past its own deadline still fails as a timeout, recorded at the timeout;
// the bound keeps the wait for a silent target within the run's drain.
const maxSlack = 100 * time.Millisecond

// slackOf is the deadline slack for a timeout: an eighth of it, at most
// maxSlack.
func slackOf(timeout time.Duration) time.Duration { return min(timeout/8, maxSlack) }

// errTimeout is a response that completed, but after the timeout.
var errTimeout = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string   { return "response completed after the timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

const h1BufSize = 4 << 10

// errProtocol marks a response that is not valid HTTP/1.x.
var errProtocol = errors.New("malformed HTTP response")

// roundTrip sends req on c (dialling when needed) and reads the response.
// It returns the status code and the response body's size. A reused
// connection that the server closed while idle is redialled once. The
// connection's deadline is set up to slack past the request's; the caller
// checks the timeout itself.
func (c *h1conn) roundTrip(addr string, req []byte, head bool, deadline time.Time, slack time.Duration) (code int, n int64, err error) {
	for attempt := 0; ; attempt++ {
		if c.conn == nil {
			d := net.Dialer{Deadline: deadline}
			conn, err := d.Dial("tcp", addr)
			if err != nil {
				return 0, 0, err
			}
			c.conn, c.used, c.io, c.deadline = conn, false, conn, time.Time{}
			if r := newRawIO(conn); r != nil {
				c.io = r
			}
			if c.br == nil {
				c.br = bufio.NewReaderSize(c.io, h1BufSize)
			} else {
				c.br.Reset(c.io)
			}
		}
		reused := c.used
		if c.deadline.Before(deadline) {
			c.deadline = deadline.Add(slack)
			err = c.conn.SetDeadline(c.deadline)
		}
		if err == nil {
			if r, ok := c.io.(*rawIO); ok && c.br.Buffered() == 0 {
				r.Send(req) // written by the response's first read
			} else {
				_, err = c.io.Write(req)
			}
		}
		var got bool // any byte of the response arrived
		var keep bool
		if err == nil {
			code, n, keep, got, err = readResponse(c.br, head)
		}
		if err == nil {
			c.used = true
			if !keep {
				c.close()
			}
			return code, n, nil
		}
		c.close()
		// A keep-alive connection the server closed while idle fails before
		// any byte of the response: retry once on a new connection.
		if reused && !got && attempt == 0 && !isTimeout(err) {
			continue
		}
		return 0, 0, err
	}
}

func (c *h1conn) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// readResponse reads one response from br, discarding its body. keep
// reports whether the connection may carry another request; got whether
// any byte arrived.
func readResponse(br *bufio.Reader, head bool) (code int, n int64, keep, got bool, err error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return 0, 0, false, len(line) > 0 || br.Buffered() > 0, err
		}
		got = true
		// HTTP/1.1 200 OK
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return 0, 0, false, true, errProtocol
		}
		code = atoi3(line[9:12])
		if code < 100 {
			return 0, 0, false, true, errProtocol
		}
		keep = line[7] == '1'
		var (
			length  int64 = -1
			chunked bool
		)
		for {
			h, err := readLine(br)
			if err != nil {
				return code, 0, false, true, err
			}
			if len(h) == 0 {
				break
			}
			colon := bytes.IndexByte(h, ':')
			if colon <= 0 {
				return code, 0, false, true, errProtocol
			}
			name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
			switch {
			case equalFold(name, "content-length"):
				if length, err = parseLength(value); err != nil {
					return code, 0, false, true, err
				}
			case equalFold(name, "transfer-encoding"):
				chunked = containsFold(value, "chunked")
			case equalFold(name, "connection"):
				if containsFold(value, "close") {
					keep = false
				} else if containsFold(value, "keep-alive") {
					keep = true
				}
			}
		}
		if code >= 100 && code < 200 && code != 101 {
			continue // an interim response: the real one follows
		}
		switch {
		case head || code == 204 || code == 304 || code == 101:
			if code == 101 {
				keep = false
			}
			return code, 0, keep, true, nil
		case chunked:
			n, err = readChunked(br)
			return code, n, keep && err == nil, true, err
		case length >= 0:
			d, err := br.Discard(int(length))
			return code, int64(d), keep && err == nil, true, err
		default:
			// No length: the body runs to the end of the connection.
			d, err := io.Copy(io.Discard, br)
			return code, d, false, true, err
		}
	}
}

// readLine returns the next line without its line ending. The slice is
// valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err == bufio.ErrBufferFull {
			err = errProtocol
		}
		return line, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readChunked discards a chunked body and its trailers.
func readChunked(br *bufio.Reader) (int64, error) {
	var total int64
	for {
		line, err := readLine(br)
		if err != nil {
			return total, eofIsUnexpected(err)
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return total, errProtocol
		}
		if size == 0 {
			for { // trailers, up to the empty line
				t, err := readLine(br)
				if err != nil {
					return total, eofIsUnexpected(err)
				}
				if len(t) == 0 {
					return total, nil
				}
			}
		}
		d, err := br.Discard(int(size))
		total += int64(d)
		if err != nil {
			return total, eofIsUnexpected(err)
		}
		if crlf, err := readLine(br); err != nil || len(crlf) != 0 {
			if err == nil {
				err = errProtocol
			}
			return total, eofIsUnexpected(err)
		}
	}
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func atoi3(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func parseLength(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 18 {
		return 0, errProtocol
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errProtocol
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// equalFold compares b with the lower-case ASCII s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// containsFold reports whether b contains the lower-case ASCII s, ignoring
// case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if equalFold(b[i:i+len(s)], s) {
			return true
		}
	}
	return false
}

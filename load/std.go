package load

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"time"
)

// The net/http path: TLS (HTTP/1.1 or HTTP/2 by ALPN), HTTP/2 and h2c. It
// costs more per request than the lean client and is used only where the
// lean client does not go.

// newTransport returns a transport for the protocol, with a connection
// pool big enough for the open model's growing concurrency.
func newTransport(p Protocol, insecure bool, timeout time.Duration) *http.Transport {
	var protos http.Protocols
	switch p {
	case ProtocolHTTP1:
		protos.SetHTTP1(true)
	case ProtocolHTTP2:
		protos.SetHTTP2(true)
	case ProtocolH2C:
		protos.SetUnencryptedHTTP2(true)
	default:
		protos.SetHTTP1(true)
		protos.SetHTTP2(true)
	}
	return &http.Transport{
		Proxy:                 nil, // a load test goes straight to its target
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: insecure}, //nolint:gosec // the user asked for it
		TLSHandshakeTimeout:   timeout,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   1 << 16,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
		DisableCompression:    true, // measure what the target sends
		Protocols:             &protos,
	}
}

// stdRoundTrip sends request seq of t through client and discards the
// response body. It returns the status code, body size and request body
// size.
func stdRoundTrip(client *http.Client, t *target, seq, tseq int64, seed uint64, version string, deadline time.Time, scratch *[]byte) (code int, n, sent int64, err error) {
	u := string(t.url.render((*scratch)[:0], seq, tseq, seed, t.Data))
	body := t.body.render(nil, seq, tseq, seed, t.Data)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, t.method, u, rd)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, h := range t.headers {
		v := string(h.value.render(nil, seq, tseq, seed, t.Data))
		if h.key == "Host" {
			req.Host = v
			continue
		}
		req.Header.Add(h.key, v)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "headroom/"+version)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, int64(len(body)), err
	}
	n, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, n, int64(len(body)), err
	}
	return resp.StatusCode, n, int64(len(body)), nil
}

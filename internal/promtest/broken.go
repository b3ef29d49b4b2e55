package promtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is how a Broken server misbehaves.
type Fault string

// The faults a Broken server plays. A real Prometheus cannot be made to
// do these, which is why this fake exists.
const (
	NaN       Fault = "NaN"       // every sample's value is NaN
	Inf       Fault = "+Inf"      // every sample's value is +Inf
	Negative  Fault = "-3"        // every sample's value is negative
	Warnings  Fault = "warnings"  // valid samples, and a warning (a partial response)
	Truncated Fault = "truncated" // the JSON body stops half way
	Huge      Fault = "huge"      // a valid body of Server.HugeBytes
	Error500  Fault = "500"       // an internal server error
	Redirect  Fault = "redirect"  // a redirect to another host
	Slow      Fault = "slow"      // headers, then a body that trickles for a minute
)

// BrokenServer is a fake Prometheus HTTP API on loopback that answers every
// query with one sample per container of the pods it is given, broken in
// the way its Fault says.
type BrokenServer struct {
	URL string
	// Elsewhere is the server a Redirect points to; it records what it was sent.
	Elsewhere *httptest.Server
	// SawAuth counts requests to Elsewhere that carried an Authorization header.
	SawAuth atomic.Int64
	// Queries counts the queries answered.
	Queries atomic.Int64
}

// HugeBytes is the size of a Huge body.
const HugeBytes = 3 << 20

// Broken starts a broken Prometheus for the test. series are the label
// sets (`namespace="shop",pod="api-…",container="app"`) every answer holds.
func Broken(t testing.TB, fault Fault, series ...string) *BrokenServer {
	t.Helper()
	b := &BrokenServer{}
	b.Elsewhere = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			b.SawAuth.Add(1)
		}
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	}))
	t.Cleanup(b.Elsewhere.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Queries.Add(1)
		value := "1"
		switch fault {
		case NaN, Inf, Negative:
			value = string(fault)
		case Error500:
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		case Redirect:
			http.Redirect(w, r, b.Elsewhere.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return
		}
		now := float64(time.Now().Unix())
		var results []string
		for _, s := range series {
			results = append(results, fmt.Sprintf(`{"metric":{%s},"value":[%g,"%s"]}`, jsonLabels(s), now, value))
		}
		body := `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(results, ",") + `]}`
		switch fault {
		case Warnings:
			body += `,"warnings":["partial response: store gateway eu-1 unreachable"]`
		case Huge:
			pad := strings.Repeat(" ", HugeBytes)
			body = body[:len(body)-1] + pad + "}"
		}
		body += "}"
		w.Header().Set("Content-Type", "application/json")
		switch fault {
		case Truncated:
			fmt.Fprint(w, body[:len(body)/2])
		case Slow:
			w.(http.Flusher).Flush()
			for i := 0; i < 600 && r.Context().Err() == nil; i++ {
				fmt.Fprint(w, " ")
				w.(http.Flusher).Flush()
				time.Sleep(100 * time.Millisecond)
			}
		default:
			fmt.Fprint(w, body)
		}
	}))
	t.Cleanup(srv.Close)
	b.URL = srv.URL
	return b
}

// jsonLabels turns `a="x",b="y"` into `"a":"x","b":"y"`.
func jsonLabels(s string) string {
	var out []string
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, fmt.Sprintf("%q:%s", strings.TrimSpace(k), strings.TrimSpace(v)))
	}
	return strings.Join(out, ",")
}

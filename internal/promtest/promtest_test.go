package promtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/promtest"
)

// The helper must serve backfilled data: a counter growing 10/s for an hour
// has a rate of exactly 10 at its end.
func TestStartServesBackfilledData(t *testing.T) {
	end := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	start := end.Add(-time.Hour)
	var b strings.Builder
	b.WriteString("# TYPE requests counter\n")
	for ts := start; !ts.After(end); ts = ts.Add(15 * time.Second) {
		fmt.Fprintf(&b, "requests_total{job=\"x\"} %d %d\n", int(ts.Sub(start).Seconds())*10, ts.Unix())
	}
	s := promtest.Start(t, promtest.Options{OpenMetrics: b.String()})
	q := url.Values{"query": {`rate(requests_total[5m])`}, "time": {fmt.Sprint(end.Unix())}}
	resp, err := http.Get(s.URL + "/api/v1/query?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Data.Result) != 1 || body.Data.Result[0].Value[1] != "10" {
		t.Fatalf("rate = %+v; want 10", body.Data.Result)
	}
}

package prom

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ScrapeCounter fetches a target's /metrics page (Prometheus text format)
// and returns the sum of the named counter or gauge over all its series,
// for example process_cpu_seconds_total.
func ScrapeCounter(ctx context.Context, client *http.Client, url, name string) (float64, error) {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", url, err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("scrape %s: HTTP %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", url, err)
	}
	return counterIn(body, name)
}

// counterIn sums the samples of metric family name in a text exposition.
func counterIn(body []byte, name string) (float64, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("parse metrics: %w", err)
	}
	fam, ok := families[name]
	if !ok {
		return 0, fmt.Errorf("metric %s not found on the page", name)
	}
	var sum float64
	for _, m := range fam.GetMetric() {
		switch {
		case m.GetCounter() != nil:
			sum += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			sum += m.GetGauge().GetValue()
		case m.GetUntyped() != nil:
			sum += m.GetUntyped().GetValue()
		default:
			return 0, fmt.Errorf("metric %s is neither a counter nor a gauge", name)
		}
	}
	return sum, nil
}

package report

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/headroom-sre/headroom/units"
)

// palette is colour-blind-friendly enough for up to seven series and
// prints legibly in greyscale thanks to distinct dashes on limits. It
// holds no green and no red: those mean success and failure (Good, Bad)
// and are given only to series that have that meaning.
var palette = []string{"#2563eb", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04", "#78350f"}

// maxPoints bounds the points drawn per series: a day at one-second
// resolution is reduced to the min and max of each pixel column.
const maxPoints = 1200

// svgSize is the default drawing size of a chart, in CSS pixels; the SVG
// scales to its container.
const (
	svgWidth  = 760
	svgHeight = 300
)

// SVG renders the chart as a standalone inline SVG element.
func (c Chart) SVG() string { return c.svg("c0") }

// svg renders the chart; id must be unique within the page (it names the
// clip path).
func (c Chart) svg(id string) string {
	const (
		left, right, top, bottom = 64.0, 20.0, 34.0, 44.0
	)
	w, h := float64(svgWidth), float64(svgHeight)
	pw, ph := w-left-right, h-top-bottom

	x0, x1, y0, y1 := c.bounds()
	xs := func(x float64) float64 { return left + (x-x0)/(x1-x0)*pw }
	ys := func(y float64) float64 { return top + ph - (y-y0)/(y1-y0)*ph }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" class="chart">`,
		svgWidth, svgHeight, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))

	// Grid and y ticks.
	for _, t := range ticks(y0, y1, 5) {
		y := ys(t)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, y, left+pw, y)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(units.Compact(t)))
	}
	// X ticks.
	xt := ticks(x0, x1, 6)
	if c.XTime {
		xt = timeTicks(x0, x1, 6)
	}
	for _, t := range xt {
		x := xs(t)
		fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, top+ph, x, top+ph+4)
		label := units.Compact(t)
		if c.XTime {
			label = units.Seconds(t)
		}
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, top+ph+17, esc(label))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, top+ph, left+pw, top+ph)
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, top, left, top+ph)
	if c.XLabel != "" {
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, left+pw/2, h-6, esc(c.XLabel))
	}
	if c.YLabel != "" {
		fmt.Fprintf(&b, `<text class="label" x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">%s</text>`, top+ph/2, top+ph/2, esc(c.YLabel))
	}

	// Series, clipped to the plot area.
	fmt.Fprintf(&b, `<clipPath id="%s"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/></clipPath><g clip-path="url(#%s)">`, id, left, top-2, pw, ph+4, id)
	for i, s := range c.Series {
		color := c.color(i)
		pts := downsample(s.X, s.Y, maxPoints)
		if len(pts) == 0 {
			continue
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		switch s.Kind {
		case Points:
			for _, p := range pts {
				fmt.Fprintf(&b, `<circle class="series s%d" cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, i, xs(p[0]), ys(p[1]), color)
			}
		default:
			var d strings.Builder
			for j, p := range pts {
				x, y := xs(p[0]), ys(p[1])
				switch {
				case j == 0:
					fmt.Fprintf(&d, "M%.1f %.1f", x, y)
				case s.Kind == Steps:
					fmt.Fprintf(&d, "H%.1fV%.1f", x, y)
				default:
					fmt.Fprintf(&d, "L%.1f %.1f", x, y)
				}
			}
			if s.Kind == Area {
				base := ys(math.Max(y0, 0))
				fmt.Fprintf(&b, `<path class="area s%d" d="%sL%.1f %.1fL%.1f %.1fZ" fill="%s" fill-opacity="0.15" stroke="none"/>`,
					i, d.String(), xs(pts[len(pts)-1][0]), base, xs(pts[0][0]), base, color)
			}
			fmt.Fprintf(&b, `<path class="series s%d" d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, i, d.String(), color, dash)
		}
	}
	b.WriteString(`</g>`)

	// Limits (horizontal) and markers (vertical).
	for _, l := range c.Limits {
		if l.At < y0 || l.At > y1 {
			continue
		}
		y := ys(l.At)
		fmt.Fprintf(&b, `<line class="limit" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, y, left+pw, y)
		fmt.Fprintf(&b, `<text class="limit-label" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left+pw-4, y-4, esc(l.Label))
	}
	for _, m := range c.Markers {
		if m.At < x0 || m.At > x1 {
			continue
		}
		x := xs(m.At)
		fmt.Fprintf(&b, `<line class="marker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, top, x, top+ph)
		fmt.Fprintf(&b, `<text class="marker-label" x="%.1f" y="%.1f">%s</text>`, x+3, top+10, esc(m.Label))
	}

	// Legend along the top.
	lx := left
	for i, s := range c.Series {
		color := c.color(i)
		fmt.Fprintf(&b, `<rect x="%.1f" y="10" width="12" height="4" fill="%s"/>`, lx, color)
		fmt.Fprintf(&b, `<text class="legend" x="%.1f" y="16">%s</text>`, lx+16, esc(s.Name))
		lx += 28 + 6.5*float64(len([]rune(s.Name)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// color is series i's colour: its own, or the next palette colour not
// taken by a series with its own.
func (c Chart) color(i int) string {
	if c.Series[i].Color != "" {
		return c.Series[i].Color
	}
	taken := map[string]bool{}
	for _, s := range c.Series {
		taken[s.Color] = true
	}
	n := 0
	for j := 0; j < i; j++ {
		if c.Series[j].Color == "" {
			n++
		}
	}
	for _, p := range palette {
		if taken[p] {
			continue
		}
		if n == 0 {
			return p
		}
		n--
	}
	return palette[i%len(palette)]
}

// bounds returns the x and y ranges of the chart: x over all finite points
// and markers, y from min(0, data) to the top of data and limits, widened
// to nice tick values.
func (c Chart) bounds() (x0, x1, y0, y1 float64) {
	x0, x1 = math.Inf(1), math.Inf(-1)
	y0, y1 = 0, math.Inf(-1)
	for _, s := range c.Series {
		for i := range s.X {
			if i >= len(s.Y) || !finite(s.X[i]) || !finite(s.Y[i]) {
				continue
			}
			x0, x1 = math.Min(x0, s.X[i]), math.Max(x1, s.X[i])
			y0, y1 = math.Min(y0, s.Y[i]), math.Max(y1, s.Y[i])
		}
	}
	for _, l := range c.Limits {
		y1 = math.Max(y1, l.At*1.05)
	}
	if math.IsInf(x0, 1) {
		x0, x1 = 0, 1
	}
	if x1 <= x0 {
		x1 = x0 + 1
	}
	if math.IsInf(y1, -1) || y1 <= y0 {
		y1 = y0 + 1
	}
	if c.YMin != 0 || c.YMax != 0 {
		y0, y1 = c.YMin, c.YMax
	}
	t := ticks(y0, y1, 5)
	if len(t) > 0 && t[len(t)-1] < y1 {
		step := niceStep((y1 - y0) / 5)
		y1 = t[len(t)-1] + step
	}
	return x0, x1, y0, y1
}

// downsample keeps at most about n points, preserving each bucket's
// extremes so spikes stay visible.
func downsample(xs, ys []float64, n int) [][2]float64 {
	m := len(xs)
	if len(ys) < m {
		m = len(ys)
	}
	var out [][2]float64
	if m <= n {
		for i := 0; i < m; i++ {
			if finite(xs[i]) && finite(ys[i]) {
				out = append(out, [2]float64{xs[i], ys[i]})
			}
		}
		return out
	}
	per := int(math.Ceil(float64(m) / float64(n/2)))
	for start := 0; start < m; start += per {
		end := min(start+per, m)
		lo, hi := -1, -1
		for i := start; i < end; i++ {
			if !finite(xs[i]) || !finite(ys[i]) {
				continue
			}
			if lo < 0 || ys[i] < ys[lo] {
				lo = i
			}
			if hi < 0 || ys[i] > ys[hi] {
				hi = i
			}
		}
		switch {
		case lo < 0:
		case lo == hi:
			out = append(out, [2]float64{xs[lo], ys[lo]})
		case lo < hi:
			out = append(out, [2]float64{xs[lo], ys[lo]}, [2]float64{xs[hi], ys[hi]})
		default:
			out = append(out, [2]float64{xs[hi], ys[hi]}, [2]float64{xs[lo], ys[lo]})
		}
	}
	return out
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || !finite(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// ticks returns nice tick values covering [lo, hi], about n of them.
func ticks(lo, hi float64, n int) []float64 {
	step := niceStep((hi - lo) / float64(n))
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9 && len(out) < 50; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// timeTicks returns tick values (seconds) at round durations.
func timeTicks(lo, hi float64, n int) []float64 {
	raw := (hi - lo) / float64(n)
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if raw <= s {
			step = s
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+1e-9 && len(out) < 50; v += step {
		out = append(out, v)
	}
	return out
}

// formatNumber writes a number compactly (1500 → "1.5k"): units.Compact,
// kept while files of report in progress still call it.
func formatNumber(v float64) string { return units.Compact(v) }

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func esc(s string) string { return html.EscapeString(s) }

package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	"time"
)

var (
	//go:embed assets/report.html
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string

	page = template.Must(template.New("report").Parse(pageTemplate))
)

// HTMLOptions configure WriteHTML.
type HTMLOptions struct {
	// Version is printed in the footer (the headroom version).
	Version string
}

type htmlCell struct {
	Text string
	Num  bool
}

type htmlRow struct {
	Cells     []htmlCell
	Highlight bool
}

type htmlTable struct {
	Title string
	Head  []htmlCell
	Rows  []htmlRow
}

type htmlChart struct {
	Title string
	SVG   template.HTML
}

type htmlSection struct {
	ID      string
	Title   string
	Intro   string
	Verdict *Verdict
	Tiles   []Tile
	Charts  []htmlChart
	Tables  []htmlTable
	Notes   []string
}

// WriteHTML writes doc as a single self-contained HTML page: inline CSS,
// charts as inline SVG, no scripts and no external resources, so it can be
// mailed, archived or opened offline.
func WriteHTML(w io.Writer, doc Document, opts HTMLOptions) error {
	data := struct {
		Title, Subtitle, Generated, Version string
		CSS                                 template.CSS
		Sections                            []htmlSection
	}{
		Title:     doc.Title,
		Subtitle:  doc.Subtitle,
		Generated: doc.Generated.UTC().Format(time.RFC1123),
		Version:   opts.Version,
		CSS:       template.CSS(pageCSS),
	}
	ids := map[string]int{}
	chartN := 0
	for _, s := range doc.Sections {
		hs := htmlSection{ID: anchor(s.Title, ids), Title: s.Title, Intro: s.Intro, Verdict: s.Verdict, Tiles: s.Tiles, Notes: s.Notes}
		for _, c := range s.Charts {
			chartN++
			// The SVG is built by this package from escaped text only.
			hs.Charts = append(hs.Charts, htmlChart{Title: c.Title, SVG: template.HTML(c.svg(fmt.Sprintf("c%d", chartN)))})
		}
		for _, t := range s.Tables {
			hs.Tables = append(hs.Tables, toHTMLTable(t))
		}
		data.Sections = append(data.Sections, hs)
	}
	return page.Execute(w, data)
}

func toHTMLTable(t Table) htmlTable {
	num := numericColumns(t)
	out := htmlTable{Title: t.Title}
	for i, c := range t.Columns {
		out.Head = append(out.Head, htmlCell{Text: c, Num: num[i]})
	}
	hl := map[int]bool{}
	for _, i := range t.Highlight {
		hl[i] = true
	}
	for r, row := range t.Rows {
		hr := htmlRow{Highlight: hl[r]}
		for i, c := range row {
			hr.Cells = append(hr.Cells, htmlCell{Text: c, Num: i < len(num) && num[i]})
		}
		out.Rows = append(out.Rows, hr)
	}
	return out
}

// numericLike matches cells such as "1,234", "$12.50", "-3%", "99.9%",
// "1.5k req/s", "120ms" or "—".
var numericLike = regexp.MustCompile(`^[-+~≈<>]?[$¥€£]?[0-9][0-9,.]*\s?(%|[kMG]|ms|s|m|h|x|×|µs)?(\s?[a-zA-Z/]+)?$|^[—-]$`)

// numericColumns reports, per column, whether every non-empty cell looks
// like a number (those columns are right aligned).
func numericColumns(t Table) []bool {
	out := make([]bool, len(t.Columns))
	for i := range t.Columns {
		seen, all := false, true
		for _, row := range t.Rows {
			if i >= len(row) || strings.TrimSpace(row[i]) == "" {
				continue
			}
			seen = true
			if !numericLike.MatchString(strings.TrimSpace(row[i])) {
				all = false
				break
			}
		}
		out[i] = seen && all
	}
	return out
}

var nonAnchor = regexp.MustCompile(`[^a-z0-9]+`)

// anchor makes a unique, readable id for a section title.
func anchor(title string, seen map[string]int) string {
	id := strings.Trim(nonAnchor.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if id == "" {
		id = "section"
	}
	seen[id]++
	if n := seen[id]; n > 1 {
		id = fmt.Sprintf("%s-%d", id, n)
	}
	return id
}

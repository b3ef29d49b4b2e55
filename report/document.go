package report

import (
	"time"
)

// Document is a report: a title and sections, each made of a verdict,
// headline tiles, charts, tables and notes. It is plain data, so it also
// serialises to JSON as it is.
type Document struct {
	Title     string    `json:"title"`
	Subtitle  string    `json:"subtitle,omitempty"`
	Generated time.Time `json:"generated"`
	Sections  []Section `json:"sections"`
}

// Section is one part of a report, read top to bottom.
type Section struct {
	Title   string   `json:"title"`
	Intro   string   `json:"intro,omitempty"`
	Verdict *Verdict `json:"verdict,omitempty"`
	Tiles   []Tile   `json:"tiles,omitempty"`
	Charts  []Chart  `json:"charts,omitempty"`
	Tables  []Table  `json:"tables,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Status colours a verdict or a tile.
type Status string

// Statuses, from good to bad. The zero value is neutral.
const (
	Neutral Status = ""
	OK      Status = "ok"
	Warn    Status = "warn"
	Fail    Status = "fail"
)

// Verdict is the one sentence a reader must not miss.
type Verdict struct {
	Status Status `json:"status"`
	Text   string `json:"text"`
}

// Tile is one headline number.
type Tile struct {
	Label  string `json:"label"`
	Value  string `json:"value"`
	Detail string `json:"detail,omitempty"`
	Status Status `json:"status,omitempty"`
}

// Table is a grid of text. Columns whose cells all look numeric are right
// aligned.
type Table struct {
	Title   string     `json:"title,omitempty"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	// Highlight marks rows to emphasise (for example the recommended plan).
	Highlight []int `json:"highlight,omitempty"`
}

// Chart is an x/y chart of one or more series.
type Chart struct {
	Title  string `json:"title"`
	XLabel string `json:"x_label,omitempty"`
	YLabel string `json:"y_label,omitempty"`
	// XTime formats x values as elapsed time (seconds → "2m30s").
	XTime bool `json:"x_time,omitempty"`
	// YMin and YMax fix the y range; both zero means automatic (from 0).
	YMin, YMax float64  `json:"-"`
	Series     []Series `json:"series"`
	// Markers are vertical lines at given x values (events: "spike starts").
	Markers []Marker `json:"markers,omitempty"`
	// Limits are horizontal lines at given y values (objectives, capacity).
	Limits []Marker `json:"limits,omitempty"`
}

// SeriesKind is how a series is drawn.
type SeriesKind string

// Series kinds.
const (
	Line   SeriesKind = "line"
	Area   SeriesKind = "area"
	Points SeriesKind = "points"
	Steps  SeriesKind = "steps"
)

// Series is one named line of a chart. X and Y have the same length.
type Series struct {
	Name string     `json:"name"`
	Kind SeriesKind `json:"kind,omitempty"`
	X    []float64  `json:"x"`
	Y    []float64  `json:"y"`
	// Dashed draws the line dashed (for a prediction or a target).
	Dashed bool `json:"dashed,omitempty"`
	// Color is a CSS colour for the series; empty picks the next of the
	// palette. Use Good and Bad for successes and failures.
	Color string `json:"color,omitempty"`
}

// Colours with a meaning, for Series.Color.
const (
	Good = "#16a34a" // successes, goodput
	Bad  = "#dc2626" // failures, errors
)

// Marker is a labelled line across a chart at a value.
type Marker struct {
	At    float64 `json:"at"`
	Label string  `json:"label"`
}

// Package report renders headroom's results for people: a [Document] of
// sections (a verdict, headline tiles, charts, tables and notes) written as
// terminal text ([WriteText]), JSON (the Document itself) or a single
// self-contained HTML page with inline SVG charts ([WriteHTML]) that a
// manager can read, print or mail — no scripts, no network.
//
// The package renders; it does not decide. Commands build a Document from
// the results of the measure, model and decide packages.
package report

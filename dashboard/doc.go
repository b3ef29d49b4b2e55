// Package dashboard turns SLOs into a Grafana dashboard whose panels read
// the series headroom's Prometheus rules record (package promrule): one
// row per SLO with
//
//   - the SLI over the SLO window, and the error budget left, as stats;
//   - the SLI over the current-burn window (5m for a 30-day SLO) and over
//     the SLO window against the objective, over time;
//   - the error budget left over time;
//   - the burn rate: current, over the period, and over each alert tier's
//     long window with the tier's threshold drawn as a dashed line;
//   - the traffic (events per second) the SLI counts;
//   - the SLO's alerts firing now (Prometheus' ALERTS series).
//
// A grouped SLO (SLO.Grouping) gets a template variable per grouping label
// (its values read from the SLO's recorded budget series), time series
// filtered by it, and a table of its worst groups by error budget left.
//
// Every query reads the data source chosen in the dashboard's datasource
// variable (type prometheus). The dashboard's uid is derived from what it
// is generated from (Options.Source) and the SLOs' services, so importing
// a regenerated dashboard replaces the previous one.
//
// The JSON follows Grafana's dashboard model (camelCase keys, schema
// version [SchemaVersion]), not headroom's own snake_case conventions.
// The package reads no files: [Grafana] returns the bytes to write.
package dashboard

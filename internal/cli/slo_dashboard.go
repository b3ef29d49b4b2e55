package cli

import (
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/dashboard"
)

func (a *app) newSLODashboardCmd() *cobra.Command {
	var (
		files []string
		out   string
		opts  dashboard.Options
	)
	cmd := &cobra.Command{
		Use:   "dashboard -f slo.yaml [--out dashboard.json]",
		Short: "Write a Grafana dashboard of SLOs that reads the series of slo rules",
		Long: `Writes a Grafana dashboard (JSON to import) with a row per SLO: the SLI and
the error budget left, now and over time against the objective; the burn
rate now, over the SLO window and over each alert's long window with its
threshold; the traffic; and the SLO's alerts firing. A grouped SLO gets a
variable per grouping label and a table of its worst groups.

The panels read the series the rules of "headroom slo rules" record: load
those into the Prometheus the dashboard's data source variable points at.
The dashboard's uid follows from the SLO files' names and the services, so
importing a regenerated dashboard replaces the previous one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := a.readSLOs(files)
			if err != nil {
				return err
			}
			opts.Source = dashboardSource(files)
			data, err := dashboard.Grafana(set.SLOs, opts)
			if err != nil {
				return usageError(err, "--uid is up to 40 letters, digits, - and _; --range is a minute or more")
			}
			return a.writeSLOOutput(out, data)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&files, "file", "f", nil, "SLO file (repeat for a set)")
	fl.StringVar(&out, "out", "-", "write the dashboard to this file (- for stdout)")
	addFormatFlag(fl, nil, "json")
	fl.StringVar(&opts.Title, "title", "", `dashboard title (default "SLOs: " and the services)`)
	fl.StringVar(&opts.UID, "uid", "", "dashboard uid (default: derived from the files' names and the services)")
	fl.StringVar(&opts.Datasource, "datasource", "", "Prometheus data source to preselect, by name (default: Grafana's default)")
	fl.StringArrayVar(&opts.Tags, "tag", nil, "extra dashboard tag (repeatable)")
	fl.DurationVar(&opts.Range, "range", dashboard.DefaultRange, "time range the dashboard opens on")
	return cmd
}

// dashboardSource names the SLO files by their base names, so that the
// uid does not depend on the directory the command runs in.
func dashboardSource(files []string) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	return strings.Join(names, ", ")
}

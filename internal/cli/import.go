package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/report"
)

type importFlags struct {
	kubeconfig, context, namespace, snapshot string

	prom           promFlags
	selector       string
	window, step   daysFlag
	rateWindow     daysFlag
	requestMetrics []string
	latencyMetric  string
	quantile       float64
	at             string

	capacityDir string
	entry, name string
	latency     time.Duration
	latTarget   string
	avail       string
	multipliers []float64

	out   string
	force bool
}

func (a *app) newImportCmd() *cobra.Command {
	var (
		f        importFlags
		asJSON   bool
		format   *formatValue
		htmlFile string
	)
	cmd := &cobra.Command{
		Use:   "import (--snapshot FILE | --context NAME) [--prometheus URL] [--capacity DIR] --out system.yaml",
		Short: "Write a System file from a cluster and its history, every value with its source",
		Long: `Writes the System file headroom sim and headroom plan read, from the real
system: the Deployments and StatefulSets of a namespace (system namespaces
are left out) with their HPAs (metrics and behavior), requests and limits,
replicas and PodDisruptionBudgets; the node pool (Autopilot, or Standard
and its machine type); start-up from pods' conditions (PodScheduled →
Initialized → ContainersReady → Ready, the median of each part) and image
pulls from Events.

Every value carries a comment saying where it came from. A value that
cannot be determined is written with a safe default and a comment
"unknown: <reason>; default <x> …", and listed in the summary.

Capacity per replica comes from --capacity DIR (profiles written by
headroom capacity, named COMPONENT.capacity.json), else is estimated from
--prometheus history: the highest per-pod request rate at which the
latency objective held (a lower bound, marked estimate:), and CPU per
request from CPU against request rate. Call ratios come from
istio_requests_total. With --entry, the entry's biggest spike of the
--window is written beside the System file as a replay CSV, with × k
variants (--spike-multiplier).

The file is read back as headroom sim reads it before anything is
written. --out never overwrites a file unless --force is given.`,
		Example: `  ` + kube.ImportSnapshotCommand + ` > cluster.yaml
  headroom import --snapshot cluster.yaml -n shop --out system.yaml
  headroom import --context prod -n shop --prometheus http://127.0.0.1:9090 --entry web --capacity profiles/ --out system.yaml
  headroom sim -f system.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.config(a, cmd)
			if err != nil {
				return err
			}
			res, err := pipeline.Import(cmd.Context(), diskFiles{limit: maxSnapshotBytes}, cfg)
			if err != nil {
				return importError(err)
			}
			files := []outFile{{f.out, res.YAML}}
			if res.ReplayPath != "" {
				files = append(files, outFile{res.ReplayPath, res.Replay})
			}
			if err := writeNewFiles(files, f.force); err != nil {
				return err
			}
			doc := res.Document(commandLine(cmd))
			doc.Generated = a.now()
			if err := a.writeHTMLReport(htmlFile, doc); err != nil {
				return err
			}
			if format.Format() == "json" {
				return writeJSON(a.stdio.Out, importJSON{Result: res.Result, SystemFile: f.out, ReplayPath: res.ReplayPath, Scenarios: res.Scenarios, Queries: res.Queries})
			}
			if err := report.WriteText(a.stdio.Out, doc, report.TextOptions{}); err != nil {
				return err
			}
			fmt.Fprintf(a.stdio.Out, "\nwrote %s; simulate it with: headroom sim -f %s\n", f.out, shellQuote(f.out))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.snapshot, "snapshot", "", "read the cluster from a file: the output of "+kube.ImportSnapshotCommand)
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&f.context, "context", "", "kubeconfig context (default its current context)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "only this namespace (default: every namespace but the system ones)")
	f.prom.register(fl, "for the workloads' history")
	fl.StringVar(&f.selector, "prometheus-selector", "", `extra label matchers for every series, e.g. cluster="prod"`)
	f.window.d, f.step.d, f.rateWindow.d = prom.DefaultWindow, prom.DefaultHistoryStep, prom.DefaultHistoryRateWindow
	fl.Var(&f.window, "window", "history to read (e.g. 14d, 36h)")
	fl.Var(&f.step, "step", "resolution of the history: one sample of rate, latency and CPU per step")
	fl.Var(&f.rateWindow, "rate-window", "range of rate() over counters")
	fl.StringArrayVar(&f.requestMetrics, "request-metric", prom.DefaultRequestMetrics, "per-pod request counter, tried in order (repeatable)")
	fl.StringVar(&f.latencyMetric, "latency-metric", prom.DefaultLatencyMetric, "latency histogram (seconds, without _bucket)")
	fl.Float64Var(&f.quantile, "latency-quantile", prom.DefaultLatencyQuantile, "quantile of the latency histogram held against --latency")
	fl.StringVar(&f.at, "at", "", "end of the history: RFC 3339 or Unix seconds (default now)")
	fl.StringVar(&f.capacityDir, "capacity", "", "directory of capacity profiles (COMPONENT.capacity.json from headroom capacity)")
	fl.StringVar(&f.entry, "entry", "", "the component (workload name) that receives external traffic; its history gives the scenarios")
	fl.StringVar(&f.name, "name", "", "metadata.name of the system (default the namespace, else imported)")
	fl.DurationVar(&f.latency, "latency", importer.DefaultLatencyThreshold, "latency objective: the threshold capacity is estimated against")
	fl.StringVar(&f.latTarget, "latency-target", "99%", "share of requests within --latency")
	fl.StringVar(&f.avail, "availability", "99.9%", "availability objective")
	fl.Float64SliceVar(&f.multipliers, "spike-multiplier", importer.DefaultMultipliers, "× k variants of the biggest spike (repeatable or comma-separated)")
	fl.StringVar(&f.out, "out", "", "the System file to write (the replay CSV goes beside it)")
	fl.BoolVar(&f.force, "force", false, "let --out overwrite existing files")
	format = addFormatFlag(fl, &asJSON, "text", "json")
	fl.BoolVar(&asJSON, "json", false, "print the summary as JSON (items, components, notes); same as -o json")
	addHTMLFlag(fl, &htmlFile)
	return cmd
}

// importJSON is the JSON summary of an import.
type importJSON struct {
	*importer.Result
	SystemFile string   `json:"system_file"`
	ReplayPath string   `json:"replay_path,omitempty"`
	Scenarios  []string `json:"scenarios"`
	Queries    int64    `json:"queries,omitempty"`
}

func (f *importFlags) config(a *app, cmd *cobra.Command) (pipeline.ImportConfig, error) {
	changed := cmd.Flags().Changed
	cfg := pipeline.ImportConfig{Snapshot: f.snapshot, Namespace: f.namespace, CapacityDir: f.capacityDir, Out: f.out}
	switch {
	case f.out == "" || f.out == "-":
		return cfg, usageErrorf("for example --out system.yaml", "--out: name the System file to write (the replay CSV goes beside it)")
	case f.snapshot != "" && (changed("kubeconfig") || changed("context")):
		return cfg, usageErrorf("give one of them", "--snapshot and --kubeconfig/--context both given")
	}
	obj := importer.Objectives{LatencyThreshold: f.latency, Given: changed("latency") || changed("latency-target") || changed("availability")}
	var err error
	if obj.Availability, err = fractionFlag("availability", f.avail); err != nil {
		return cfg, err
	}
	if obj.LatencyTarget, err = fractionFlag("latency-target", f.latTarget); err != nil {
		return cfg, err
	}
	if f.latency <= 0 {
		return cfg, usageErrorf("for example --latency 300ms", "--latency %s: want a positive duration", f.latency)
	}
	for _, k := range f.multipliers {
		if !(k > 0) || k > 1000 || math.IsInf(k, 0) {
			return cfg, usageErrorf("for example --spike-multiplier 2,5", "--spike-multiplier %v: want a factor above 0 (up to 1000)", k)
		}
	}
	cfg.Options = importer.Options{Name: f.name, Entry: f.entry, Objectives: obj, Multipliers: f.multipliers}
	if cfg.Options.Multipliers == nil {
		cfg.Options.Multipliers = []float64{}
	}
	end := a.now()
	if f.at != "" {
		if end, err = parseEnd(f.at); err != nil {
			return cfg, err
		}
	}
	if !(f.quantile > 0 && f.quantile < 1) {
		return cfg, usageErrorf("for example --latency-quantile 0.99", "--latency-quantile %v: want a quantile in (0, 1)", f.quantile)
	}
	cfg.History = prom.HistoryOptions{End: end, Window: f.window.d, Step: f.step.d, RateWindow: f.rateWindow.d, RequestMetrics: f.requestMetrics,
		LatencyMetric: f.latencyMetric, Quantile: f.quantile, Selector: f.selector}
	if pcfg := f.prom.config(a, cmd); pcfg.URL != "" {
		client, err := prom.New(pcfg)
		if err != nil {
			return cfg, usageError(err, "give --prometheus as http(s)://host:port")
		}
		cfg.Prometheus = client
	}
	if f.snapshot == "" {
		cs, name, err := kube.Connect(kube.Config{Kubeconfig: f.kubeconfig, Context: f.context})
		if err != nil {
			return cfg, usageError(err, "give --kubeconfig and --context, or read a file with --snapshot FILE")
		}
		cfg.Context = name
		cfg.API = func(ctx context.Context, namespace string) (*kube.Objects, error) {
			objs, err := kube.Read(ctx, cs, namespace)
			if err != nil {
				return nil, err
			}
			return objs, kube.ReadEvents(ctx, cs, namespace, objs)
		}
	}
	return cfg, nil
}

// fractionFlag reads a percentage ("99.9%") or a fraction (0.999).
func fractionFlag(name, s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if pct {
		v /= 100
	}
	if err != nil || !(v > 0 && v < 1) {
		return 0, usageErrorf("for example --"+name+" 99.9%", "--%s %q: want a percentage below 100%% (or a fraction below 1)", name, s)
	}
	return v, nil
}

// importError maps an import's error: bad input exits 2, Prometheus's
// failures get their hints.
func importError(err error) error {
	var rate *prom.RateError
	switch {
	case err == nil:
		return nil
	case pipeline.IsInputError(err):
		return decideError(err)
	case errors.As(err, &rate):
		return withHint(err, "check the recording rules or the counter behind the query; query it in Prometheus to see the values")
	}
	return promError(err)
}

// outFile is a file to write and its content.
type outFile struct {
	path string
	data []byte
}

// writeNewFiles writes the files, none of them unless force or none
// exists.
func writeNewFiles(files []outFile, force bool) error {
	if !force {
		for _, f := range files {
			if _, err := os.Stat(f.path); err == nil {
				return usageErrorf("choose another --out, or pass --force to overwrite it", "%s already exists", f.path)
			}
		}
	}
	for _, f := range files {
		if err := writeNewFile(f.path, f.data, force); err != nil {
			return err
		}
	}
	return nil
}

// writeNewFile writes data to path, refusing to overwrite a file unless
// force; it writes a temporary file beside path and renames it, so a
// failure never leaves half a file.
func writeNewFile(path string, data []byte, force bool) error {
	if !force {
		if _, err := os.Stat(path); err == nil {
			return usageErrorf("choose another --out, or pass --force to overwrite it", "%s already exists", path)
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withHint(fmt.Errorf("create %s: %w", dir, err), "check that the directory can be created")
	}
	f, err := os.CreateTemp(dir, ".headroom-*")
	if err != nil {
		return withHint(err, "check that the directory is writable")
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := io.Copy(f, strings.NewReader(string(data))); err != nil {
		f.Close()
		return withHint(fmt.Errorf("write %s: %w", path, err), "check the free space")
	}
	if err := f.Close(); err != nil {
		return withHint(fmt.Errorf("write %s: %w", path, err), "check the free space")
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return withHint(err, "")
	}
	if err := os.Rename(tmp, path); err != nil {
		return withHint(fmt.Errorf("write %s: %w", path, err), "check that the directory is writable")
	}
	return nil
}

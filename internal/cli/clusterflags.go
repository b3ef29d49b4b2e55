package cli

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/traffic"
)

// clusterFlags are the inputs shared by `headroom cost` and `headroom
// rightsize`: where the cluster's objects come from, where its usage
// history comes from, and how it is priced.
type clusterFlags struct {
	kubeconfig, context, namespace string
	allNamespaces                  bool
	snapshot                       string
	usage                          string

	prom                     promFlags
	selector                 string
	window, step, rateWindow daysFlag
	percentile               float64
	requestMetrics           []string
	maxPoints                int
	at                       string

	mode, region, class, prices string
	bursting                    string
	commitment                  string
	currency                    string
	rate                        float64
}

// daysFlag is a duration flag that also takes days ("14d").
type daysFlag struct{ d time.Duration }

func (f *daysFlag) Set(s string) error {
	d, err := traffic.ParseDuration(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	f.d = d
	return nil
}

func (f *daysFlag) String() string {
	if f.d == 0 {
		return "auto"
	}
	return rightsize.FormatDuration(f.d)
}
func (f *daysFlag) Type() string { return "duration" }

var _ pflag.Value = (*daysFlag)(nil)

func (f *clusterFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.snapshot, "snapshot", "", "read the cluster from a file: the output of "+kube.SnapshotCommand)
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&f.context, "context", "", "kubeconfig context (default its current context)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "only this namespace (default: all namespaces)")
	fl.BoolVarP(&f.allNamespaces, "all-namespaces", "A", false, "all namespaces (the default)")

	f.prom.register(fl, "for usage history")
	fl.StringVar(&f.usage, "usage", "", "read the usage history from a usage file ("+rightsize.UsageFormat+", as headroom demo writes it) instead of Prometheus")
	fl.StringVar(&f.selector, "prometheus-selector", "", `extra label matchers for every series, e.g. cluster="prod"`)
	f.window.d, f.step.d = prom.DefaultWindow, prom.DefaultStep
	fl.Var(&f.window, "window", "usage history to read (e.g. 14d, 36h)")
	fl.Var(&f.step, "step", "how often short-window CPU usage is sampled over the window")
	fl.Var(&f.rateWindow, "rate-window", "range of irate() over CPU counters: must hold two scrapes (default: three scrape intervals, at least 2m)")
	fl.Float64Var(&f.percentile, "cpu-percentile", rightsize.DefaultCPUPercentile, "percentile of each pod's short-window CPU use the request must hold, in (0, 1]")
	fl.StringArrayVar(&f.requestMetrics, "request-metric", prom.DefaultRequestMetrics, "per-pod request counter that tells a live service from an idle one (repeatable)")
	fl.IntVar(&f.maxPoints, "max-points", prom.DefaultMaxPoints, "most points (series × steps) one Prometheus subquery may hold; larger sets are chunked")
	fl.StringVar(&f.at, "at", "", "end of the usage window: RFC 3339 or Unix seconds (default now)")

	fl.StringVar(&f.mode, "mode", "", "autopilot (pods billed for requests) or standard (nodes billed); default: autopilot when a node or pod says so, else standard when the cluster lists nodes")
	fl.StringVar(&f.bursting, "autopilot-bursting", "auto", "Autopilot request rules: true (GKE 1.30.2 and later), false, or auto (from the nodes' version)")
	fl.StringVar(&f.region, "region", "", "price region (default: the nodes' topology.kubernetes.io/region, else "+pipeline.DefaultRegion+")")
	fl.StringVar(&f.class, "autopilot-class", pricing.GeneralPurpose, "Autopilot compute class")
	fl.StringVar(&f.commitment, "commitment", string(pricing.OnDemand), "how Standard nodes that are not Spot are bought: on-demand, 1y or 3y")
	fl.StringVar(&f.prices, "prices", "", "price file laid over the shipped catalog (YAML or JSON, the catalog's shape)")
	fl.StringVar(&f.currency, "currency", "USD", "display currency (ISO code); other than USD needs --rate")
	fl.Float64Var(&f.rate, "rate", 0, "units of --currency per US dollar, e.g. 150 for JPY")
}

// config checks the flags and turns them into the pipeline's cluster
// config: a Prometheus client when one is given (flags or environment),
// the Kubernetes API when --kubeconfig or --context is given or there is
// neither a snapshot nor Prometheus. needUsage makes Prometheus required.
func (f *clusterFlags) config(a *app, cmd *cobra.Command, needUsage bool) (pipeline.ClusterConfig, error) {
	changed := cmd.Flags().Changed
	cfg := pipeline.ClusterConfig{Snapshot: f.snapshot, Namespace: f.namespace,
		Prices: pipeline.ClusterPrices{Mode: f.mode, Region: f.region, Class: f.class, Catalog: f.prices, Bursting: f.bursting,
			Commitment: f.commitment, Currency: f.currency, Rate: f.rate}}
	if f.allNamespaces && f.namespace != "" {
		return cfg, usageErrorf("give one of them", "-A and -n both given")
	}
	if f.snapshot != "" && (changed("kubeconfig") || changed("context")) {
		return cfg, usageErrorf("give one of them", "--snapshot and --kubeconfig/--context both given")
	}
	end := a.now()
	if f.at != "" {
		var err error
		if end, err = parseEnd(f.at); err != nil {
			return cfg, err
		}
	}
	cfg.Usage = prom.UsageOptions{End: end, Window: f.window.d, Step: f.step.d, RateWindow: f.rateWindow.d,
		CPUPercentile: f.percentile, Selector: f.selector, MaxPoints: f.maxPoints, RequestMetrics: f.requestMetrics}
	pcfg := f.prom.config(a, cmd)
	if f.usage != "" {
		if pcfg.URL != "" {
			return cfg, usageErrorf("give one source of usage history", "--usage and --prometheus both given")
		}
		cfg.UsageFile = f.usage
	} else if pcfg.URL != "" {
		if f.prom.maxMiB <= 0 {
			return cfg, usageErrorf("for example --prometheus-max-mib 512", "--prometheus-max-mib %d: want a positive size", f.prom.maxMiB)
		}
		client, err := prom.New(pcfg)
		if err != nil {
			return cfg, usageError(err, "give --prometheus as http(s)://host:port")
		}
		cfg.Prometheus = client
	} else if needUsage {
		return cfg, usageErrorf("give --prometheus http://HOST:9090 (or "+envPrometheusURL+") with cAdvisor and kube-state-metrics series",
			"right-sizing needs usage history, and no Prometheus was given")
	}
	if f.snapshot == "" && (changed("kubeconfig") || changed("context") || cfg.Prometheus == nil) {
		cs, name, err := kube.Connect(kube.Config{Kubeconfig: f.kubeconfig, Context: f.context})
		if err != nil {
			return cfg, usageError(err, "give --kubeconfig and --context, or read a file with --snapshot FILE")
		}
		cfg.Context = name
		cfg.API = func(ctx context.Context, namespace string) (*kube.Objects, error) {
			return kube.Read(ctx, cs, namespace)
		}
	}
	return cfg, nil
}

// parseEnd reads --at: RFC 3339 or Unix seconds.
func parseEnd(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0), nil
	}
	return time.Time{}, usageErrorf("write --at 2026-03-01T12:00:00Z or --at 1772366400", "--at %q is not a time", s)
}

// promError gives an error from reading Prometheus its hint.
func promError(err error) error {
	var bad *prom.BadDataError
	switch {
	case errors.As(err, &bad):
		return withHint(err, "check the recording rules, remote storage or proxy between the exporters and this Prometheus; query one of the series named to see the values")
	case errors.Is(err, prom.ErrResponseTooLarge):
		return withHint(err, "read one namespace at a time (-n), select one cluster (--prometheus-selector), or raise --prometheus-max-mib")
	case errors.Is(err, context.Canceled):
		return err
	}
	return withHint(err, "check that Prometheus is reachable; a smaller --max-points eases its memory")
}

// clusterError maps an error of cost or rightsize to the CLI's: bad input
// exits 2 with its hint, Prometheus's failures get theirs.
func clusterError(err error) error {
	if err == nil || pipeline.IsInputError(err) {
		return decideError(err)
	}
	return promError(err)
}

// priceFileExample documents the price file in help texts.
const priceFileExample = `A price file (--prices) has the catalog's shape; each price may carry a
source and a date. For example, Autopilot in Tokyo, which the shipped
catalog leaves unknown:

  regions:
    asia-northeast1:
      autopilot:
        general-purpose:
          vcpu: {usd: 0.0573, source: "Cloud Billing Catalog", date: 2026-08-01}
          gib:  {usd: 0.0063, source: "Cloud Billing Catalog", date: 2026-08-01}`

package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/traffic"
)

// defaultRegion prices a cluster whose nodes name no region.
const defaultRegion = "us-central1"

// clusterFlags are the inputs shared by `headroom cost` and `headroom
// rightsize`: where the cluster's objects come from, where its usage
// history comes from, and how it is priced.
type clusterFlags struct {
	kubeconfig, context, namespace string
	allNamespaces                  bool
	snapshot                       string

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
	fl.StringVar(&f.region, "region", "", "price region (default: the nodes' topology.kubernetes.io/region, else "+defaultRegion+")")
	fl.StringVar(&f.class, "autopilot-class", pricing.GeneralPurpose, "Autopilot compute class")
	fl.StringVar(&f.commitment, "commitment", string(pricing.OnDemand), "how Standard nodes that are not Spot are bought: on-demand, 1y or 3y")
	fl.StringVar(&f.prices, "prices", "", "price file laid over the shipped catalog (YAML or JSON, the catalog's shape)")
	fl.StringVar(&f.currency, "currency", "USD", "display currency (ISO code); other than USD needs --rate")
	fl.Float64Var(&f.rate, "rate", 0, "units of --currency per US dollar, e.g. 150 for JPY")
}

// clusterInputs is what the flags lead to.
type clusterInputs struct {
	cluster  *rightsize.Cluster
	source   string           // where the cluster was read from
	usage    *rightsize.Usage // nil without Prometheus
	warnings []string
	byWL     rightsize.WorkloadUsage
	promURL  string
	queries  int64
	currency pricing.Currency
	cost     rightsize.CostOptions
	notes    []string
}

// loadClusterInputs reads the cluster (snapshot, API or
// kube-state-metrics), settles the prices and, when Prometheus is given,
// reads the usage statistics stats asks for in the mode settled (none: no
// usage is read; needUsage makes Prometheus required).
func (a *app) loadClusterInputs(cmd *cobra.Command, f *clusterFlags, needUsage bool, stats func(rightsize.Mode) prom.Stats) (*clusterInputs, error) {
	in := &clusterInputs{}
	var err error
	if in.currency, err = pricing.NewCurrency(f.currency, f.rate); err != nil {
		return nil, usageError(err, "for example --currency JPY --rate 150")
	}
	if f.allNamespaces && f.namespace != "" {
		return nil, usageErrorf("give one of them", "-A and -n both given")
	}
	pcfg := f.prom.config(a, cmd)
	var client *prom.Client
	end := a.now()
	if f.at != "" {
		if end, err = parseEnd(f.at); err != nil {
			return nil, err
		}
	}
	uopts := prom.UsageOptions{End: end, Window: f.window.d, Step: f.step.d, RateWindow: f.rateWindow.d,
		CPUPercentile: f.percentile, Selector: f.selector, MaxPoints: f.maxPoints, RequestMetrics: f.requestMetrics}
	if f.namespace != "" {
		uopts.Namespaces = []string{f.namespace}
	}
	if pcfg.URL != "" {
		if err := uopts.Check(); err != nil {
			return nil, usageError(err, "see --help for --window, --step, --rate-window, --cpu-percentile, --request-metric and --prometheus-selector")
		}
		if f.prom.maxMiB <= 0 {
			return nil, usageErrorf("for example --prometheus-max-mib 512", "--prometheus-max-mib %d: want a positive size", f.prom.maxMiB)
		}
		if client, err = prom.New(pcfg); err != nil {
			return nil, usageError(err, "give --prometheus as http(s)://host:port")
		}
		in.promURL = client.String()
	} else if needUsage {
		return nil, usageErrorf("give --prometheus http://HOST:9090 (or "+envPrometheusURL+") with cAdvisor and kube-state-metrics series",
			"right-sizing needs usage history, and no Prometheus was given")
	}
	if err := a.readCluster(cmd, f, in, client, uopts); err != nil {
		return nil, err
	}
	if err := a.pricingFor(f, in); err != nil {
		return nil, err
	}
	want := stats(in.cost.Mode)
	if client != nil && want == 0 {
		in.notes = append(in.notes, fmt.Sprintf("usage is not read: %s mode charges requests", in.cost.Mode))
	}
	if client != nil && want != 0 {
		u, err := prom.FetchUsage(cmd.Context(), client, uopts, want)
		if errors.Is(err, prom.ErrNoUsage) {
			return nil, withHint(fmt.Errorf("prometheus %s: %w in the last %s", client, err, rightsize.FormatDuration(uopts.Window)),
				"check that Prometheus scrapes the kubelets' /metrics/cadvisor, and --prometheus-selector and -n")
		}
		if err != nil {
			return nil, promError(err)
		}
		in.usage = u
		in.warnings = append(in.warnings, u.Warnings...)
		var unmatched int
		in.byWL, unmatched = u.ByWorkload(in.cluster)
		if unmatched > 0 {
			in.notes = append(in.notes, fmt.Sprintf("%d container series in Prometheus matched no workload of the cluster (other clusters in the same Prometheus? see --prometheus-selector)", unmatched))
		}
	}
	if client != nil {
		in.queries = client.Queries()
	}
	return in, nil
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

// readCluster reads the cluster's objects: from --snapshot, else from the
// API when a kubeconfig flag is given or there is no Prometheus, else
// from kube-state-metrics.
func (a *app) readCluster(cmd *cobra.Command, f *clusterFlags, in *clusterInputs, client *prom.Client, uopts prom.UsageOptions) error {
	changed := cmd.Flags().Changed
	switch {
	case f.snapshot != "":
		if changed("kubeconfig") || changed("context") {
			return usageErrorf("give one of them", "--snapshot and --kubeconfig/--context both given")
		}
		data, err := readFileCapped(f.snapshot, "a cluster snapshot", maxSnapshotBytes)
		if err != nil {
			return usageError(err, "check the path of --snapshot (a kubectl get -o yaml snapshot)")
		}
		objs, err := kube.ReadSnapshot(f.snapshot, data)
		if err != nil {
			return usageError(err, "a snapshot is the output of: "+kube.SnapshotCommand)
		}
		in.cluster = objs.Cluster(f.namespace)
		in.notes = append(in.notes, objs.Notes...)
		in.source = "snapshot " + f.snapshot
	case changed("kubeconfig") || changed("context") || client == nil:
		cs, name, err := kube.Connect(kube.Config{Kubeconfig: f.kubeconfig, Context: f.context})
		if err != nil {
			return usageError(err, "give --kubeconfig and --context, or read a file with --snapshot FILE")
		}
		objs, err := kube.Read(cmd.Context(), cs, f.namespace)
		if err != nil {
			return withHint(fmt.Errorf("context %s: %w", name, err), "check access with: kubectl get deploy,sts,pod,node -A")
		}
		in.cluster = objs.Cluster(f.namespace)
		in.notes = append(in.notes, objs.Notes...)
		in.source = "context " + name
	default:
		c, err := prom.FetchCluster(cmd.Context(), client, uopts)
		if err != nil {
			var bad *prom.BadDataError
			if errors.As(err, &bad) || errors.Is(err, prom.ErrResponseTooLarge) {
				return promError(err)
			}
			return withHint(err, "check that Prometheus is reachable and scrapes kube-state-metrics")
		}
		in.cluster = c
		in.source = "kube-state-metrics in " + client.String()
		in.notes = append(in.notes, "the cluster was read from kube-state-metrics; --snapshot or --context read it from Kubernetes itself")
	}
	return nil
}

// pricingFor settles the mode, region and catalog.
func (a *app) pricingFor(f *clusterFlags, in *clusterInputs) error {
	cat := pricing.GCP()
	if f.prices != "" {
		over, err := a.readPrices(f.prices)
		if err != nil {
			return err
		}
		cat = cat.Merge(over)
	}
	mode := rightsize.Standard
	autopilot, signal := in.cluster.Autopilot()
	why := fmt.Sprintf("the cluster lists %d nodes", len(in.cluster.Nodes))
	switch {
	case autopilot:
		mode, why = rightsize.Autopilot, "the cluster is Autopilot ("+signal+")"
	case len(in.cluster.Nodes) == 0:
		mode = rightsize.Autopilot
	}
	if f.mode != "" {
		m, err := rightsize.ParseMode(f.mode)
		if err != nil {
			return usageError(err, "--mode autopilot or --mode standard")
		}
		if m == rightsize.Standard && autopilot {
			in.notes = append(in.notes, "--mode standard on an Autopilot cluster ("+signal+"): Autopilot bills pods, not nodes")
		}
		mode = m
	} else {
		in.notes = append(in.notes, fmt.Sprintf("mode %s: chosen because %s (--mode sets it)", mode, why))
	}
	noBursting := false
	if mode == rightsize.Autopilot {
		switch f.bursting {
		case "true":
		case "false":
			noBursting = true
		case "auto", "":
			v := in.cluster.Version()
			if b, ok := pricing.SupportsBursting(v); ok {
				noBursting = !b
				in.notes = append(in.notes, fmt.Sprintf("Autopilot request rules of GKE %s: bursting %v (--autopilot-bursting sets it)", v, b))
			} else {
				in.notes = append(in.notes, "Autopilot request rules: bursting assumed (GKE "+pricing.BurstingVersion+" and later; no node version read); --autopilot-bursting=false for older clusters")
			}
		default:
			return usageErrorf("--autopilot-bursting true, false or auto", "--autopilot-bursting %q", f.bursting)
		}
	}
	region := f.region
	if region == "" {
		region = kube.Region(in.cluster)
	}
	if region == "" {
		region = defaultRegion
		in.notes = append(in.notes, "region "+defaultRegion+": no node names one (--region sets it)")
	}
	tier, err := pricing.ParseTier(f.commitment)
	if err != nil || tier == pricing.Spot {
		return usageErrorf("--commitment on-demand, 1y or 3y (Spot nodes are priced as Spot by their label)", "--commitment %q", f.commitment)
	}
	in.cost = rightsize.CostOptions{Mode: mode, Region: region, Catalog: cat, Class: f.class, Commitment: tier, NoBursting: noBursting}
	return nil
}

// readPrices decodes a price file strictly, with positioned problems.
func (a *app) readPrices(path string) (*pricing.Catalog, error) {
	docs, err := a.readSpec(path)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, usageErrorf("a price file holds one document", "%s: %d documents", path, len(docs))
	}
	d := docs[0]
	var c pricing.Catalog
	d.Decode(&c)
	for _, p := range c.Check() {
		d.Errorf(p.Path, "%s", p.Msg)
	}
	if err := d.Err(); err != nil {
		return nil, usageError(err, "a price file has the catalog's shape: regions.REGION.families.FAMILY.on_demand.vcpu.usd and so on; see headroom cost --help")
	}
	c.FillSource("price file " + path)
	return &c, nil
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

// unknownPrice turns an unknown price into a usage error with its hint.
func unknownPrice(err error) error {
	var u *pricing.UnknownPriceError
	if errors.As(err, &u) {
		return usageError(err, u.Hint())
	}
	if errors.Is(err, rightsize.ErrNoNodes) {
		return usageError(err, "--mode autopilot prices pod requests instead, or read a snapshot that lists the nodes")
	}
	return err
}

// header is the first line of both commands' tables.
func (in *clusterInputs) header(cmd string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "headroom %s: %s mode, %s, %s; %s (%s)", cmd, in.cost.Mode, in.cost.Region, in.currency, in.source, kube.Summary(in.cluster))
	if in.usage != nil {
		fmt.Fprintf(&b, "\nusage: %s of history at %s from %s, %d queries", rightsize.FormatDuration(in.usage.Window),
			rightsize.FormatDuration(in.usage.Step), in.promURL, in.queries)
	}
	return b.String()
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

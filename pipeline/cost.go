package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/pricing"
	"github.com/headroom-sre/headroom/report"
	"github.com/headroom-sre/headroom/rightsize"
)

// DefaultRegion prices a cluster whose nodes name no region.
const DefaultRegion = "us-central1"

// ClusterConfig says where a cluster's objects and usage come from and
// how the cluster is priced: what `headroom cost` and `headroom
// rightsize` share.
type ClusterConfig struct {
	// Snapshot names a cluster snapshot (kube.SnapshotCommand's output),
	// read through the use case's Files. It comes first.
	Snapshot string
	// API reads the cluster's objects from Kubernetes (namespace "" is
	// every namespace), when there is no snapshot; Context names it in
	// messages. Without either, the cluster comes from kube-state-metrics
	// in Prometheus.
	API     func(ctx context.Context, namespace string) (*kube.Objects, error)
	Context string
	// Prometheus holds the usage history (nil: none is read).
	Prometheus *prom.Client
	// UsageFile, instead of Prometheus, names a usage file
	// (rightsize.UsageFormat) holding the history, read through the use
	// case's Files: recommendations reproduced without the Prometheus
	// they were read from.
	UsageFile string
	// Usage says which history to read; its Namespaces are set from
	// Namespace.
	Usage prom.UsageOptions
	// Namespace limits the cluster to one namespace ("" is every one).
	Namespace string
	// Prices say how the cluster is billed.
	Prices ClusterPrices
}

// ClusterPrices say how a cluster is billed. The zero value lets the
// cluster say: its mode from its nodes, its region from their labels,
// the shipped catalog, on-demand nodes, in US dollars.
type ClusterPrices struct {
	// Mode is "autopilot" or "standard"; "" is chosen from the cluster.
	Mode string
	// Region is the price region; "" is the nodes' region, else
	// DefaultRegion.
	Region string
	// Class is the Autopilot compute class (default general-purpose).
	Class string
	// Catalog names a price file laid over the shipped catalog.
	Catalog string
	// Bursting is Autopilot's request rules: "true", "false", or "" /
	// "auto" (from the nodes' GKE version).
	Bursting string
	// Commitment is how Standard nodes that are not Spot are bought:
	// on-demand (default), 1y or 3y.
	Commitment string
	// Currency and Rate are the display currency and its units per US
	// dollar (default USD).
	Currency string
	Rate     float64
}

// Cluster is a cluster read, priced and, with Prometheus, its usage.
type Cluster struct {
	// Objects is the cluster.
	Objects *rightsize.Cluster
	// Source says where it was read from ("snapshot cluster.yaml").
	Source string
	// Usage is the history read (nil without Prometheus), and ByWorkload
	// the same per workload.
	Usage      *rightsize.Usage
	ByWorkload rightsize.WorkloadUsage
	// Prometheus is the server's address and Queries the queries sent.
	Prometheus string
	Queries    int64
	// Currency is the display currency and Cost how the cluster is billed.
	Currency pricing.Currency
	Cost     rightsize.CostOptions
	// Warnings are Prometheus's; Notes what the reader should know.
	Warnings, Notes []string
}

// Header says what was priced and from where, on one or two lines.
func (c *Cluster) Header(command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "headroom %s: %s mode, %s, %s; %s (%s)", command, c.Cost.Mode, c.Cost.Region, c.Currency, c.Source, kube.Summary(c.Objects))
	if c.Usage != nil {
		fmt.Fprintf(&b, "\nusage: %s of history at %s from %s", rightsize.FormatDuration(c.Usage.Window),
			rightsize.FormatDuration(c.Usage.Step), c.Prometheus)
		if c.Queries > 0 {
			fmt.Fprintf(&b, ", %d queries", c.Queries)
		}
	}
	return b.String()
}

// ReadCluster reads the cluster (snapshot, API or kube-state-metrics),
// settles its prices and, with Prometheus, reads the usage statistics
// stats asks for in the mode settled (none: no usage is read). needUsage
// makes Prometheus required.
func ReadCluster(ctx context.Context, files Files, cfg ClusterConfig, needUsage bool, stats func(rightsize.Mode) prom.Stats) (*Cluster, error) {
	c := &Cluster{}
	code := cfg.Prices.Currency
	if code == "" {
		code = "USD"
	}
	var err error
	if c.Currency, err = pricing.NewCurrency(code, cfg.Prices.Rate); err != nil {
		return nil, inputError(err, "give the currency's code and its rate per US dollar, such as JPY at 150")
	}
	uopts := cfg.Usage
	if cfg.Namespace != "" {
		uopts.Namespaces = []string{cfg.Namespace}
	}
	if cfg.Prometheus != nil && cfg.UsageFile != "" {
		return nil, inputError(errors.New("usage history from both Prometheus and a usage file"), "give one source of usage history")
	}
	if cfg.UsageFile != "" {
		c.Prometheus = "usage file " + cfg.UsageFile
	} else if cfg.Prometheus != nil {
		if err := uopts.Check(); err != nil {
			return nil, inputError(err, "check the usage window, step and rate window, the CPU percentile, the request metric and the series selector")
		}
		c.Prometheus = cfg.Prometheus.String()
	} else if needUsage {
		return nil, inputError(errors.New("right-sizing needs usage history, and no Prometheus was given"),
			"give a Prometheus URL, one with cAdvisor and kube-state-metrics series")
	}
	if err := c.read(ctx, files, cfg, uopts); err != nil {
		return nil, err
	}
	if err := c.price(files, cfg.Prices); err != nil {
		return nil, err
	}
	want := stats(c.Cost.Mode)
	if (cfg.Prometheus != nil || cfg.UsageFile != "") && want == 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("usage is not read: %s mode charges requests", c.Cost.Mode))
	}
	if cfg.UsageFile != "" && want != 0 {
		data, err := files.ReadFile(cfg.UsageFile)
		if err != nil {
			return nil, inputError(err, "check the path of the usage file")
		}
		u, err := rightsize.ParseUsage(data)
		if err != nil {
			return nil, inputError(fmt.Errorf("%s: %w", cfg.UsageFile, err), "a usage file is JSON in the "+rightsize.UsageFormat+" format, as headroom demo writes it")
		}
		c.useHistory(u)
	}
	if cfg.Prometheus != nil && want != 0 {
		u, err := prom.FetchUsage(ctx, cfg.Prometheus, uopts, want)
		if errors.Is(err, prom.ErrNoUsage) {
			return nil, fmt.Errorf("prometheus %s: %w in the last %s (check that Prometheus scrapes the kubelets' /metrics/cadvisor, and the selector and namespace)",
				cfg.Prometheus, err, rightsize.FormatDuration(uopts.Window))
		}
		if err != nil {
			return nil, err
		}
		c.useHistory(u)
	}
	if cfg.Prometheus != nil {
		c.Queries = cfg.Prometheus.Queries()
	}
	return c, nil
}

// useHistory takes u as the cluster's usage history.
func (c *Cluster) useHistory(u *rightsize.Usage) {
	c.Usage = u
	c.Warnings = append(c.Warnings, u.Warnings...)
	var unmatched int
	c.ByWorkload, unmatched = u.ByWorkload(c.Objects)
	if unmatched > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%d containers of the usage history matched no workload of the cluster (other clusters in the same Prometheus? a series selector keeps to one)", unmatched))
	}
}

// read reads the cluster's objects: from the snapshot, else the API,
// else kube-state-metrics.
func (c *Cluster) read(ctx context.Context, files Files, cfg ClusterConfig, uopts prom.UsageOptions) error {
	switch {
	case cfg.Snapshot != "":
		data, err := files.ReadFile(cfg.Snapshot)
		if err != nil {
			return inputError(err, "check the path of the snapshot (a kubectl get -o yaml snapshot)")
		}
		objs, err := kube.ReadSnapshot(cfg.Snapshot, data)
		if err != nil {
			return inputError(err, "a snapshot is the output of: "+kube.SnapshotCommand)
		}
		c.Objects = objs.Cluster(cfg.Namespace)
		c.Notes = append(c.Notes, objs.Notes...)
		c.Source = "snapshot " + cfg.Snapshot
	case cfg.API != nil:
		objs, err := cfg.API(ctx, cfg.Namespace)
		if err != nil {
			return fmt.Errorf("context %s: %w (check access with: kubectl get deploy,sts,pod,node -A)", cfg.Context, err)
		}
		c.Objects = objs.Cluster(cfg.Namespace)
		c.Notes = append(c.Notes, objs.Notes...)
		c.Source = "context " + cfg.Context
	case cfg.Prometheus != nil:
		cl, err := prom.FetchCluster(ctx, cfg.Prometheus, uopts)
		if err != nil {
			return err
		}
		c.Objects = cl
		c.Source = "kube-state-metrics in " + cfg.Prometheus.String()
		c.Notes = append(c.Notes, "the cluster was read from kube-state-metrics; a snapshot or the Kubernetes API read it from Kubernetes itself")
	default:
		return inputError(errors.New("no cluster: no snapshot, Kubernetes API or Prometheus"), "give a snapshot file, a Kubernetes context or a Prometheus URL")
	}
	return nil
}

// price settles the mode, region and catalog.
func (c *Cluster) price(files Files, p ClusterPrices) error {
	cat := pricing.GCP()
	if p.Catalog != "" {
		over, err := ReadPrices(files, p.Catalog)
		if err != nil {
			return err
		}
		cat = cat.Merge(over)
	}
	mode := rightsize.Standard
	autopilot, signal := c.Objects.Autopilot()
	why := fmt.Sprintf("the cluster lists %d nodes", len(c.Objects.Nodes))
	switch {
	case autopilot:
		mode, why = rightsize.Autopilot, "the cluster is Autopilot ("+signal+")"
	case len(c.Objects.Nodes) == 0:
		mode = rightsize.Autopilot
	}
	if p.Mode != "" {
		m, err := rightsize.ParseMode(p.Mode)
		if err != nil {
			return inputError(err, "the mode is autopilot or standard")
		}
		if m == rightsize.Standard && autopilot {
			c.Notes = append(c.Notes, "mode standard on an Autopilot cluster ("+signal+"): Autopilot bills pods, not nodes")
		}
		mode = m
	} else {
		c.Notes = append(c.Notes, fmt.Sprintf("mode %s: chosen because %s (setting the mode overrides it)", mode, why))
	}
	noBursting := false
	if mode == rightsize.Autopilot {
		switch p.Bursting {
		case "true":
		case "false":
			noBursting = true
		case "auto", "":
			v := c.Objects.Version()
			if b, ok := pricing.SupportsBursting(v); ok {
				noBursting = !b
				c.Notes = append(c.Notes, fmt.Sprintf("Autopilot request rules of GKE %s: bursting %v (setting bursting overrides it)", v, b))
			} else {
				c.Notes = append(c.Notes, "Autopilot request rules: bursting assumed (GKE "+pricing.BurstingVersion+" and later; no node version read); set bursting off for older clusters")
			}
		default:
			return inputError(fmt.Errorf("Autopilot bursting %q: want true, false or auto", p.Bursting), "Autopilot bursting is true, false or auto")
		}
	}
	region := p.Region
	if region == "" {
		region = kube.Region(c.Objects)
	}
	if region == "" {
		region = DefaultRegion
		c.Notes = append(c.Notes, "region "+DefaultRegion+": no node names one (setting the region overrides it)")
	}
	commitment := p.Commitment
	if commitment == "" {
		commitment = string(pricing.OnDemand)
	}
	tier, err := pricing.ParseTier(commitment)
	if err != nil || tier == pricing.Spot {
		return inputError(fmt.Errorf("commitment %q: want on-demand, 1y or 3y", p.Commitment), "the commitment is on-demand, 1y or 3y (Spot nodes are priced as Spot by their label)")
	}
	class := p.Class
	if class == "" {
		class = pricing.GeneralPurpose
	}
	c.Cost = rightsize.CostOptions{Mode: mode, Region: region, Catalog: cat, Class: class, Commitment: tier, NoBursting: noBursting}
	return nil
}

// ClusterPriceError gives a price the catalog lacks, or a node bill
// without nodes, its hint as an *InputError.
func ClusterPriceError(err error) error {
	if errors.Is(err, rightsize.ErrNoNodes) {
		return inputError(err, "mode autopilot prices pod requests instead, or read a snapshot that lists the nodes")
	}
	return PriceError(err)
}

// CostConfig is a bill of a cluster.
type CostConfig struct {
	// Cluster says where the cluster comes from and how it is priced.
	Cluster ClusterConfig
}

// CostResult is where a cluster's money goes.
type CostResult struct {
	// Report is the bill, in the display currency; its JSON is `headroom
	// cost --json`.
	Report *rightsize.CostReport
	// Cluster is the cluster read.
	Cluster *Cluster
}

// Cost reads a cluster and bills it, per workload, namespace, component
// and node. Standard mode charges max(request, mean usage) and reads the
// usage when Prometheus is given; Autopilot bills requests.
func Cost(ctx context.Context, files Files, cfg CostConfig) (*CostResult, error) {
	c, err := ReadCluster(ctx, files, cfg.Cluster, false, func(m rightsize.Mode) prom.Stats {
		if m == rightsize.Standard {
			return prom.Means | prom.Replicas
		}
		return prom.Replicas
	})
	if err != nil {
		return nil, err
	}
	r, err := rightsize.Cost(c.Objects, c.ByWorkload, c.Cost)
	if err != nil {
		return nil, ClusterPriceError(err)
	}
	r = r.In(c.Currency)
	r.Notes = append(r.Notes, c.Notes...)
	r.Warnings = append(r.Warnings, c.Warnings...)
	return &CostResult{Report: r, Cluster: c}, nil
}

// Document is the bill as a report document.
func (r *CostResult) Document(command string) report.Document {
	return report.CostDocument(report.CostReport{Header: r.Cluster.Header("cost"), Cost: r.Report, Currency: r.Cluster.Currency, Command: command})
}

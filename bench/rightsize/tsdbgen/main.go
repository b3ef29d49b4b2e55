// Command tsdbgen writes Prometheus TSDB blocks of synthetic Kubernetes
// usage for the right-sizing benchmark: cAdvisor CPU and memory series for
// every container over the whole window at one sample per interval, and
// kube-state-metrics series (requests, limits, owners, replicas, HPAs,
// nodes, OOM kills) for the last hours. It writes the blocks directly with
// the TSDB library (one block per day), which is two orders of magnitude
// faster than backfilling OpenMetrics text through promtool.
//
//	go run ./tsdbgen -out DIR -namespaces 100 -deployments 20 -replicas 5 -days 14
//
// Usage is deterministic: container i's CPU is a base load with a daily
// wave, noise and, for one container in five, a daily 20-minute spike to
// three times its base; its memory is a base with a six-hourly sawtooth.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

type options struct {
	out                               string
	namespaces, deployments, replicas int
	nodes                             int
	days                              int
	interval                          time.Duration
	ksmHours                          int
	end                               time.Time
}

func main() {
	var o options
	var end int64
	flag.StringVar(&o.out, "out", "", "TSDB directory to write (must not hold blocks yet)")
	flag.IntVar(&o.namespaces, "namespaces", 100, "namespaces")
	flag.IntVar(&o.deployments, "deployments", 20, "Deployments per namespace")
	flag.IntVar(&o.replicas, "replicas", 5, "pods per Deployment (one container each)")
	flag.IntVar(&o.nodes, "nodes", 250, "n2-standard-8 nodes")
	flag.IntVar(&o.days, "days", 14, "days of cAdvisor history")
	flag.DurationVar(&o.interval, "interval", time.Minute, "sample interval")
	flag.IntVar(&o.ksmHours, "ksm-hours", 2, "hours of kube-state-metrics series before the end")
	flag.Int64Var(&end, "end", 0, "end of the data, Unix seconds (default: the last whole hour, an hour ago)")
	flag.Parse()
	if o.out == "" {
		fmt.Fprintln(os.Stderr, "tsdbgen: give -out DIR")
		os.Exit(2)
	}
	o.end = time.Now().Add(-time.Hour).Truncate(time.Hour)
	if end != 0 {
		o.end = time.Unix(end, 0)
	}
	if err := generate(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "tsdbgen:", err)
		os.Exit(1)
	}
}

// container is one synthetic container with its fixed traits.
type container struct {
	ns, deploy, pod, node string
	cpuBase, memBase      float64 // cores, bytes
	phase                 float64 // of the daily wave, radians
	spikeAt               float64 // hour of the daily spike; < 0 for none
	oom                   bool
	counter               float64 // CPU seconds so far
	cpu, mem              labels.Labels
}

// rnd is a deterministic hash to [0, 1).
func rnd(a, b uint64) float64 {
	x := a*0x9E3779B97F4A7C15 + b*0xBF58476D1CE4E5B9 + 0x94D049BB133111EB
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

func containers(o options) []*container {
	var cs []*container
	i := 0
	for n := range o.namespaces {
		ns := fmt.Sprintf("ns-%03d", n)
		for d := range o.deployments {
			deploy := fmt.Sprintf("svc-%02d", d)
			for range o.replicas {
				u := uint64(i)
				c := &container{
					ns: ns, deploy: deploy,
					pod:     fmt.Sprintf("%s-7f9c6b8d5b-%05x", deploy, (i*7919)%0xfffff),
					node:    fmt.Sprintf("gke-bench-default-pool-%04d", i%o.nodes),
					cpuBase: 0.01 + 0.6*math.Pow(rnd(u, 1), 2),
					memBase: 64<<20 + rnd(u, 2)*1536*(1<<20),
					phase:   2 * math.Pi * rnd(u, 3),
					spikeAt: -1,
					oom:     rnd(u, 5) < 0.01,
				}
				if rnd(u, 4) < 0.2 {
					c.spikeAt = math.Floor(rnd(u, 6) * 23)
				}
				c.cpu = labels.FromStrings("__name__", "container_cpu_usage_seconds_total", "container", "app",
					"id", "/kubepods/burstable/pod"+c.pod+"/app", "image", "us-docker.pkg.dev/bench/"+deploy+":1.0",
					"job", "kubelet", "metrics_path", "/metrics/cadvisor", "namespace", ns, "node", c.node, "pod", c.pod)
				c.mem = labels.FromStrings("__name__", "container_memory_working_set_bytes", "container", "app",
					"id", "/kubepods/burstable/pod"+c.pod+"/app", "image", "us-docker.pkg.dev/bench/"+deploy+":1.0",
					"job", "kubelet", "metrics_path", "/metrics/cadvisor", "namespace", ns, "node", c.node, "pod", c.pod)
				cs = append(cs, c)
				i++
			}
		}
	}
	return cs
}

// cpuRate is container c's CPU use at t, in cores.
func (c *container) cpuRate(t time.Time, i int) float64 {
	sec := float64(t.Unix() % 86400)
	r := c.cpuBase * (1 + 0.4*math.Sin(2*math.Pi*sec/86400+c.phase)) * (0.9 + 0.2*rnd(uint64(i), uint64(t.Unix())))
	if h := sec / 3600; c.spikeAt >= 0 && h >= c.spikeAt && h < c.spikeAt+1.0/3 {
		r *= 3
	}
	return r
}

// memory is container c's working set at t, in bytes.
func (c *container) memory(t time.Time, i int) float64 {
	saw := float64(t.Unix()%(6*3600)) / (6 * 3600)
	return c.memBase * (1 + 0.2*saw) * (0.98 + 0.04*rnd(uint64(i), uint64(t.Unix())+7))
}

func generate(ctx context.Context, o options) error {
	cs := containers(o)
	start := o.end.Add(-time.Duration(o.days) * 24 * time.Hour)
	total := 0
	began := time.Now()
	for day := range o.days {
		from := start.Add(time.Duration(day) * 24 * time.Hour)
		to := from.Add(24 * time.Hour)
		n, err := block(ctx, o, from, to, func(app *batch) (int, error) {
			samples := 0
			for i, c := range cs {
				var cpuRef, memRef storage.SeriesRef
				for t := from; t.Before(to); t = t.Add(o.interval) {
					if err := app.add(&cpuRef, c.cpu, t, c.counter); err != nil {
						return samples, err
					}
					if err := app.add(&memRef, c.mem, t, c.memory(t, i)); err != nil {
						return samples, err
					}
					c.counter += c.cpuRate(t, i) * o.interval.Seconds()
					samples += 2
				}
			}
			if day == o.days-1 {
				k, err := kubeStateMetrics(app, o, cs, to)
				return samples + k, err
			}
			return samples, nil
		})
		if err != nil {
			return fmt.Errorf("day %d: %w", day+1, err)
		}
		total += n
		fmt.Fprintf(os.Stderr, "tsdbgen: day %d/%d: %d samples (%s so far)\n", day+1, o.days, n, time.Since(began).Round(time.Second))
	}
	fmt.Printf("tsdbgen: %d containers, %d days at %s, %d samples in %s into %s\n", len(cs), o.days, o.interval, total,
		time.Since(began).Round(time.Second), o.out)
	return nil
}

// batch appends samples and commits every 100,000 (a committed appender
// is done: the next batch takes a new one).
type batch struct {
	ctx     context.Context
	w       *tsdb.BlockWriter
	app     storage.Appender
	pending int
}

// add appends a sample; ref caches the series' reference (0 at first).
func (b *batch) add(ref *storage.SeriesRef, l labels.Labels, t time.Time, v float64) error {
	if b.app == nil {
		b.app = b.w.Appender(b.ctx)
	}
	r, err := b.app.Append(*ref, l, t.UnixMilli(), v)
	if err != nil {
		return err
	}
	*ref = r
	if b.pending++; b.pending == 100_000 {
		return b.commit()
	}
	return nil
}

func (b *batch) commit() error {
	if b.app == nil {
		return nil
	}
	err := b.app.Commit()
	b.app, b.pending = nil, 0
	return err
}

// block writes one block with the samples fill appends.
func block(ctx context.Context, o options, from, to time.Time, fill func(*batch) (int, error)) (int, error) {
	// The head takes samples no older than its newest less half its chunk
	// range: twice the block keeps every sample of the block appendable
	// while series are written one after the other.
	w, err := tsdb.NewBlockWriter(log.NewNopLogger(), o.out, 2*to.Sub(from).Milliseconds())
	if err != nil {
		return 0, err
	}
	defer w.Close()
	b := &batch{ctx: ctx, w: w}
	n, err := fill(b)
	if err != nil {
		return n, err
	}
	if err := b.commit(); err != nil {
		return n, err
	}
	if _, err := w.Flush(ctx); err != nil {
		return n, err
	}
	return n, nil
}

// kubeStateMetrics appends the kube-state-metrics series for the last
// o.ksmHours before end.
func kubeStateMetrics(app *batch, o options, cs []*container, end time.Time) (int, error) {
	type series struct {
		l labels.Labels
		v func(t time.Time) float64
	}
	var ss []series
	add := func(v float64, kv ...string) {
		ss = append(ss, series{labels.FromStrings(kv...), func(time.Time) float64 { return v }})
	}
	deploys := map[string]bool{}
	for _, c := range cs {
		cpuReq := math.Ceil(c.cpuBase*2/0.05) * 0.05
		memReq := math.Ceil(c.memBase*1.5/(1<<20)) * (1 << 20)
		pl := []string{"namespace", c.ns, "pod", c.pod, "uid", "uid-" + c.pod}
		kv := func(name string, extra ...string) []string {
			return append(append([]string{"__name__", name}, pl...), extra...)
		}
		add(cpuReq, kv("kube_pod_container_resource_requests", "container", "app", "node", c.node, "resource", "cpu", "unit", "core")...)
		add(memReq, kv("kube_pod_container_resource_requests", "container", "app", "node", c.node, "resource", "memory", "unit", "byte")...)
		add(memReq, kv("kube_pod_container_resource_limits", "container", "app", "node", c.node, "resource", "memory", "unit", "byte")...)
		add(1, kv("kube_pod_info", "node", c.node, "host_ip", "10.0.0.1", "pod_ip", "10.1.0.1", "created_by_kind", "ReplicaSet")...)
		add(1, kv("kube_pod_status_phase", "phase", "Running")...)
		add(1, kv("kube_pod_owner", "owner_kind", "ReplicaSet", "owner_name", c.deploy+"-7f9c6b8d5b", "owner_is_controller", "true")...)
		restarts := 0.0
		if c.oom {
			restarts = 1
			add(1, kv("kube_pod_container_status_last_terminated_reason", "container", "app", "reason", "OOMKilled")...)
		}
		add(restarts, kv("kube_pod_container_status_restarts_total", "container", "app")...)
		key := c.ns + "/" + c.deploy
		if deploys[key] {
			continue
		}
		deploys[key] = true
		add(1, "__name__", "kube_replicaset_owner", "namespace", c.ns, "replicaset", c.deploy+"-7f9c6b8d5b", "owner_kind", "Deployment", "owner_name", c.deploy)
		add(float64(o.replicas), "__name__", "kube_deployment_spec_replicas", "namespace", c.ns, "deployment", c.deploy)
		add(1, "__name__", "kube_deployment_labels", "namespace", c.ns, "deployment", c.deploy, "label_app_kubernetes_io_component", c.deploy)
		if len(deploys)%3 == 0 {
			h := []string{"namespace", c.ns, "horizontalpodautoscaler", c.deploy}
			add(float64(o.replicas), append([]string{"__name__", "kube_horizontalpodautoscaler_spec_min_replicas"}, h...)...)
			add(float64(4*o.replicas), append([]string{"__name__", "kube_horizontalpodautoscaler_spec_max_replicas"}, h...)...)
			add(float64(o.replicas), append([]string{"__name__", "kube_horizontalpodautoscaler_status_current_replicas"}, h...)...)
			add(60, append([]string{"__name__", "kube_horizontalpodautoscaler_spec_target_metric", "metric_name", "cpu", "metric_target_type", "utilization"}, h...)...)
			add(1, append([]string{"__name__", "kube_horizontalpodautoscaler_info", "scaletargetref_kind", "Deployment", "scaletargetref_name", c.deploy}, h...)...)
		}
	}
	for n := range o.nodes {
		node := fmt.Sprintf("gke-bench-default-pool-%04d", n)
		add(1, "__name__", "kube_node_labels", "node", node, "label_node_kubernetes_io_instance_type", "n2-standard-8",
			"label_cloud_google_com_gke_nodepool", "default-pool", "label_topology_kubernetes_io_region", "us-central1")
		add(8, "__name__", "kube_node_status_capacity", "node", node, "resource", "cpu", "unit", "core")
		add(32<<30, "__name__", "kube_node_status_capacity", "node", node, "resource", "memory", "unit", "byte")
	}
	from := end.Add(-time.Duration(o.ksmHours) * time.Hour)
	samples := 0
	for _, s := range ss {
		var ref storage.SeriesRef
		for t := from; t.Before(end); t = t.Add(o.interval) {
			if err := app.add(&ref, s.l, t, s.v(t)); err != nil {
				return samples, err
			}
			samples++
		}
	}
	return samples, nil
}

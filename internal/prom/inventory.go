package prom

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/headroom-sre/headroom/rightsize"
)

// FetchCluster reads the cluster's inventory from kube-state-metrics at
// opts.End, in two queries: the containers of every live pod with their
// requests and limits (containers that set none are listed too), and one
// union of the metadata (pod phases, nodes and owners, ReplicaSet and Job
// owners, replicas, workload labels, HPAs, node labels, versions and
// capacity). It is for when the Kubernetes API is out of reach: workloads'
// containers are taken from their live pods; a CronJob's runs are one
// workload; node machine types and Spot need kube-state-metrics to export
// those labels (--metric-labels-allowlist=nodes=[node.kubernetes.io/instance-type,…]);
// Autopilot nodes are known by name (gk3-…) or machine type (ek-…).
// kube-state-metrics does not export PodDisruptionBudget selectors, so the
// cluster's PDBs stay unknown (and no node pool is called safe for Spot),
// and an HPA's ContainerResource metric looks like a Resource one.
// Impossible values (NaN, infinite, negative) fail with a *BadDataError.
func FetchCluster(ctx context.Context, c *Client, opts UsageOptions) (*rightsize.Cluster, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	extra, _ := parseSelector(o.Selector)
	ns := matchers(extra, o.Namespaces)
	all := matchers(extra, nil)
	tag := func(q, expr string) string { return fmt.Sprintf(`label_replace(%s, "q", %q, "", "")`, expr, q) }
	resources := strings.Join([]string{
		tag("req", fmt.Sprintf(`max by (namespace, pod, container, resource) (kube_pod_container_resource_requests{resource=~"cpu|memory"%s})`, comma(ns))),
		tag("lim", fmt.Sprintf(`max by (namespace, pod, container, resource) (kube_pod_container_resource_limits{resource=~"cpu|memory"%s})`, comma(ns))),
		// Containers that set no requests have no request series: list them too.
		tag("ctr", fmt.Sprintf(`max by (namespace, pod, container) (kube_pod_container_info{%s})`, ns)),
	}, " or ")
	meta := strings.Join([]string{
		tag("info", fmt.Sprintf(`max by (namespace, pod, node) (kube_pod_info{%s})`, ns)),
		tag("live", fmt.Sprintf(`max by (namespace, pod, phase) (kube_pod_status_phase{phase=~"Pending|Running"%s} == 1)`, comma(ns))),
		tag("job", fmt.Sprintf(`max by (namespace, job_name, owner_kind, owner_name) (kube_job_owner{%s})`, ns)),
		tag("node_info", fmt.Sprintf(`max by (node, kubelet_version) (kube_node_info{%s})`, all)),
		tag("pod", fmt.Sprintf(`max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{%s})`, ns)),
		tag("rs", fmt.Sprintf(`max by (namespace, replicaset, owner_kind, owner_name) (kube_replicaset_owner{%s})`, ns)),
		tag("deploy", fmt.Sprintf(`max by (namespace, deployment) (kube_deployment_spec_replicas{%s})`, ns)),
		tag("sts", fmt.Sprintf(`max by (namespace, statefulset) (kube_statefulset_replicas{%s})`, ns)),
		tag("deploy_labels", fmt.Sprintf(`kube_deployment_labels{%s}`, ns)),
		tag("sts_labels", fmt.Sprintf(`kube_statefulset_labels{%s}`, ns)),
		tag("hpa_min", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_min_replicas{%s})`, ns)),
		tag("hpa_max", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{%s})`, ns)),
		tag("hpa_cur", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{%s})`, ns)),
		tag("hpa_target", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler, metric_name, metric_target_type) (kube_horizontalpodautoscaler_spec_target_metric{%s})`, ns)),
		tag("hpa_info", fmt.Sprintf(`max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (kube_horizontalpodautoscaler_info{%s})`, ns)),
		tag("node_labels", fmt.Sprintf(`kube_node_labels{%s}`, all)),
		tag("node_cap", fmt.Sprintf(`max by (node, resource) (kube_node_status_capacity{resource=~"cpu|memory"%s})`, comma(all))),
		tag("node_alloc", fmt.Sprintf(`max by (node, resource) (kube_node_status_allocatable{resource=~"cpu|memory"%s})`, comma(all))),
	}, " or ")
	var res, md model.Vector
	err := runQueries(ctx, c, o.End, o.Parallel, []query{
		{"requests and limits", resources, func(v model.Vector) { res = v }},
		{"inventory", meta, func(v model.Vector) { md = v }},
	})
	if err != nil {
		return nil, err
	}
	f := &fetch{}
	for _, v := range []model.Vector{res, md} {
		for _, smp := range v {
			f.check(string(smp.Metric["q"]), smp.Metric, float64(smp.Value))
		}
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return inventory(res, md), nil
}

// inventory assembles a cluster from FetchCluster's two results.
func inventory(res, md model.Vector) *rightsize.Cluster {
	type pod struct {
		node, phase string
		containers  map[string]*rightsize.Container
	}
	pods := map[rightsize.PodKey]*pod{}
	getPod := func(m model.Metric) *pod {
		k := rightsize.PodKey{Namespace: string(m["namespace"]), Pod: string(m["pod"])}
		if pods[k] == nil {
			pods[k] = &pod{containers: map[string]*rightsize.Container{}}
		}
		return pods[k]
	}
	live := map[rightsize.PodKey]bool{}
	phases := map[rightsize.PodKey]string{}
	cronJobs := map[[2]string]string{} // namespace, Job → CronJob
	var owners ownerSet
	owners.add(nil)
	replicas := map[rightsize.WorkloadRef]int{}
	labels := map[rightsize.WorkloadRef]map[string]string{}
	type hpaKey struct{ ns, name string }
	hpas := map[hpaKey]*rightsize.HPA{}
	targets := map[hpaKey]rightsize.WorkloadRef{}
	getHPA := func(m model.Metric) *rightsize.HPA {
		k := hpaKey{string(m["namespace"]), string(m["horizontalpodautoscaler"])}
		if hpas[k] == nil {
			hpas[k] = &rightsize.HPA{Name: k.name, MinReplicas: 1, CPUMetric: -1}
		}
		return hpas[k]
	}
	nodes := map[string]*rightsize.Node{}
	getNode := func(m model.Metric) *rightsize.Node {
		name := string(m["node"])
		if nodes[name] == nil {
			nodes[name] = &rightsize.Node{Name: name}
		}
		return nodes[name]
	}
	for _, s := range res {
		m, v := s.Metric, float64(s.Value)
		p := getPod(m)
		name := string(m["container"])
		ct := p.containers[name]
		if ct == nil {
			ct = &rightsize.Container{Name: name}
			p.containers[name] = ct
		}
		switch m["q"] {
		case "lim":
			setResource(&ct.Limits, m, v)
		case "req":
			setResource(&ct.Requests, m, v)
		}
	}
	hasLive := false
	metrics := map[hpaKey]int{}
	for _, s := range md {
		m, v := s.Metric, float64(s.Value)
		ref := func(kind, label string) rightsize.WorkloadRef {
			return rightsize.WorkloadRef{Kind: kind, Namespace: string(m["namespace"]), Name: string(m[model.LabelName(label)])}
		}
		switch m["q"] {
		case "info":
			getPod(m).node = string(m["node"])
		case "live":
			hasLive = true
			k := rightsize.PodKey{Namespace: string(m["namespace"]), Pod: string(m["pod"])}
			live[k] = true
			phases[k] = string(m["phase"])
		case "job":
			if m["owner_kind"] == "CronJob" {
				cronJobs[[2]string{string(m["namespace"]), string(m["job_name"])}] = string(m["owner_name"])
			}
		case "node_info":
			getNode(m).KubeletVersion = string(m["kubelet_version"])
		case "pod", "rs":
			owners.add(model.Vector{s})
		case "deploy":
			replicas[ref(rightsize.KindDeployment, "deployment")] = int(v)
		case "sts":
			replicas[ref(rightsize.KindStatefulSet, "statefulset")] = int(v)
		case "deploy_labels":
			labels[ref(rightsize.KindDeployment, "deployment")] = workloadLabels(m)
		case "sts_labels":
			labels[ref(rightsize.KindStatefulSet, "statefulset")] = workloadLabels(m)
		case "hpa_min":
			getHPA(m).MinReplicas = int(v)
		case "hpa_max":
			getHPA(m).MaxReplicas = int(v)
		case "hpa_cur":
			getHPA(m).CurrentReplicas = int(v)
		case "hpa_target":
			h := getHPA(m)
			metrics[hpaKey{string(m["namespace"]), h.Name}]++
			switch {
			case m["metric_name"] == "cpu" && m["metric_target_type"] == "utilization":
				h.CPUTarget = v / 100
			case m["metric_name"] == "memory" && m["metric_target_type"] == "utilization":
				h.MemoryTarget = v / 100
			default:
				h.OtherMetrics++
			}
		case "hpa_info":
			h := getHPA(m)
			targets[hpaKey{string(m["namespace"]), h.Name}] = ref(string(m["scaletargetref_kind"]), "scaletargetref_name")
		case "node_labels":
			n := getNode(m)
			n.MachineType = string(m["label_node_kubernetes_io_instance_type"])
			if n.MachineType == "" {
				n.MachineType = string(m["label_beta_kubernetes_io_instance_type"])
			}
			n.Spot = m["label_cloud_google_com_gke_spot"] == "true" || m["label_cloud_google_com_gke_preemptible"] == "true"
			n.Pool = string(m["label_cloud_google_com_gke_nodepool"])
			n.Region = string(m["label_topology_kubernetes_io_region"])
		case "node_cap", "node_alloc":
			if n := getNode(m); m["q"] == "node_alloc" {
				setResource(&n.Allocatable, m, v)
			} else {
				setResource(&n.Capacity, m, v)
			}
		}
	}
	c := &rightsize.Cluster{}
	owner := owners.resolve()
	template := map[rightsize.WorkloadRef]map[string]rightsize.Container{}
	count := map[rightsize.WorkloadRef]int{}
	for _, k := range slices.SortedFunc(maps.Keys(pods), func(a, b rightsize.PodKey) int {
		return strings.Compare(a.Namespace+"/"+a.Pod, b.Namespace+"/"+b.Pod)
	}) {
		p := pods[k]
		if (hasLive && !live[k]) || len(p.containers) == 0 {
			continue
		}
		ref, ok := owner[k]
		if !ok {
			ref = rightsize.WorkloadRef{Kind: rightsize.KindPod, Namespace: k.Namespace, Name: k.Pod}
		}
		job := ""
		if own := owners.pods[k]; own[0] == "Job" {
			job = own[1]
			if cj, ok := cronJobs[[2]string{k.Namespace, job}]; ok {
				ref = rightsize.WorkloadRef{Kind: rightsize.KindCronJob, Namespace: k.Namespace, Name: cj}
			}
		}
		pod := rightsize.Pod{Namespace: k.Namespace, Name: k.Pod, Owner: ref, Job: job, Node: p.node, Phase: phases[k]}
		if template[ref] == nil {
			template[ref] = map[string]rightsize.Container{}
		}
		for _, name := range slices.Sorted(maps.Keys(p.containers)) {
			ct := *p.containers[name]
			pod.Containers = append(pod.Containers, ct)
			t := template[ref][name]
			t.Name = name
			t.Requests = rightsize.Resources{CPU: max(t.Requests.CPU, ct.Requests.CPU), Memory: max(t.Requests.Memory, ct.Requests.Memory)}
			t.Limits = rightsize.Resources{CPU: max(t.Limits.CPU, ct.Limits.CPU), Memory: max(t.Limits.Memory, ct.Limits.Memory)}
			template[ref][name] = t
		}
		count[ref]++
		c.Pods = append(c.Pods, pod)
	}
	for ref := range replicas {
		if template[ref] == nil {
			template[ref] = map[string]rightsize.Container{}
		}
	}
	for ref, cs := range template {
		w := rightsize.Workload{WorkloadRef: ref, Labels: labels[ref], Replicas: count[ref]}
		if n, ok := replicas[ref]; ok {
			w.Replicas = n
		}
		for _, name := range slices.Sorted(maps.Keys(cs)) {
			w.Containers = append(w.Containers, cs[name])
		}
		c.Workloads = append(c.Workloads, w)
	}
	byRef := make(map[rightsize.WorkloadRef]int, len(c.Workloads))
	for i, w := range c.Workloads {
		byRef[w.WorkloadRef] = i
	}
	for k, h := range hpas {
		if metrics[k] == 1 && h.CPUTarget > 0 {
			h.CPUMetric = 0 // the only metric; with several, its index is unknown
		}
		if i, ok := byRef[targets[k]]; ok {
			c.Workloads[i].HPA = h
		}
	}
	for _, name := range slices.Sorted(maps.Keys(nodes)) {
		n := nodes[name]
		if sig := rightsize.AutopilotNodeSignal(n.Name, n.MachineType, nil); sig != "" {
			n.Autopilot, n.AutopilotSignal = true, sig
		}
		c.Nodes = append(c.Nodes, *n)
	}
	c.PodsListed = true
	c.AddOrphanOwners()
	return c
}

// setResource stores v as the CPU or memory of r, by m's resource label.
func setResource(r *rightsize.Resources, m model.Metric, v float64) {
	if m["resource"] == "cpu" {
		r.CPU = v
	} else {
		r.Memory = v
	}
}

// workloadLabels turns kube-state-metrics' label_* labels back into
// Kubernetes labels: the component labels by name, others as sanitised.
func workloadLabels(m model.Metric) map[string]string {
	known := map[string]string{}
	for _, l := range rightsize.DefaultComponentLabels {
		known["label_"+sanitize(l)] = l
	}
	out := map[string]string{}
	for k, v := range m {
		name, ok := strings.CutPrefix(string(k), "label_")
		if !ok {
			continue
		}
		if orig, ok := known[string(k)]; ok {
			name = orig
		}
		out[name] = string(v)
	}
	return out
}

// sanitize maps a Kubernetes label to its kube-state-metrics form.
func sanitize(l string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, l)
}

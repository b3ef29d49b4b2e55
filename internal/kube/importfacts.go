package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/headroom-sre/headroom/importer"
	"github.com/headroom-sre/headroom/rightsize"
)

// ImportSnapshotCommand writes a snapshot `headroom import` reads: the
// kinds of [SnapshotCommand] and the Events (image pulls).
const ImportSnapshotCommand = "kubectl get deploy,sts,ds,cronjob,job,hpa,pdb,pod,node,event -A -o yaml"

// ReadEvents lists the core/v1 Events of namespace ("" for all) in pages
// and adds them to objs. Events are optional: when listing them is
// forbidden or not served, it goes on and says so in objs.Notes.
func ReadEvents(ctx context.Context, cs kubernetes.Interface, namespace string, objs *Objects) error {
	l := listing{"events", func(o metav1.ListOptions) (listPage, error) {
		return cs.CoreV1().Events(namespace).List(ctx, o)
	}, "image pull times are not known"}
	pages, err := listAll(ctx, l)
	switch {
	case err != nil && (apierrors.IsForbidden(err) || apierrors.IsNotFound(err)):
		objs.Notes = append(objs.Notes, fmt.Sprintf("events not read (%s): %s", strings.TrimPrefix(err.Error(), "list events: "), l.lost))
		return nil
	case err != nil:
		return err
	}
	for _, p := range pages {
		objs.Add(p)
	}
	return nil
}

// maxStartup is the longest start-up read from a pod's conditions: a
// longer one is a pod whose conditions changed again later (a readiness
// failure), not its start.
const maxStartup = 2 * time.Hour

// Facts maps the objects to what `headroom import` models: the
// Deployments and StatefulSets of namespace ("" for all) with their HPAs
// (autoscaling/v2, behavior included), PodDisruptionBudgets, pods'
// start-ups from their conditions and image pulls from Events, and the
// node pool (its machine type, or the signs of GKE Autopilot), sorted by
// namespace and name. source names where the objects were read.
func (o *Objects) Facts(namespace, source string) importer.Cluster {
	in := func(ns string) bool { return namespace == "" || ns == namespace }
	c := o.Cluster(namespace)
	out := importer.Cluster{Source: source, Notes: append([]string(nil), o.Notes...)}
	out.Nodes = nodeFacts(c)

	type wl struct {
		ref rightsize.WorkloadRef
		w   importer.Workload
	}
	var ws []*wl
	index := map[rightsize.WorkloadRef]*wl{}
	pdbs := newPDBIndex(o.PDBs)
	addWorkload := func(kind string, m metav1.ObjectMeta, n *int32, tpl corev1.PodTemplateSpec) {
		w := &wl{ref: rightsize.WorkloadRef{Kind: kind, Namespace: m.Namespace, Name: m.Name},
			w: importer.Workload{Kind: kind, Namespace: m.Namespace, Name: m.Name, Replicas: replicas(n)}}
		for _, ct := range containers(tpl.Spec) {
			w.w.Containers = append(w.w.Containers, importer.Container{Name: ct.Name, CPURequest: ct.Requests.CPU, CPULimit: ct.Limits.CPU,
				MemoryRequest: ct.Requests.Memory, MemoryLimit: ct.Limits.Memory})
		}
		for _, name := range pdbs.matching(m.Namespace, tpl.Labels) {
			w.w.PDBs = append(w.w.PDBs, o.pdbFacts(m.Namespace, name))
		}
		ws = append(ws, w)
		index[w.ref] = w
	}
	for _, d := range o.Deployments {
		if in(d.Namespace) {
			addWorkload(rightsize.KindDeployment, d.ObjectMeta, d.Spec.Replicas, d.Spec.Template)
		}
	}
	for _, s := range o.StatefulSets {
		if in(s.Namespace) {
			addWorkload(rightsize.KindStatefulSet, s.ObjectMeta, s.Spec.Replicas, s.Spec.Template)
		}
	}
	for _, h := range o.HPAs {
		ref := rightsize.WorkloadRef{Kind: h.Spec.ScaleTargetRef.Kind, Namespace: h.Namespace, Name: h.Spec.ScaleTargetRef.Name}
		if w := index[ref]; w != nil && in(h.Namespace) && w.w.HPA == nil {
			w.w.HPA = hpaFacts(h)
		}
	}

	// Pods: their start-ups, and who owns them (for the events).
	jobs := jobOwners(o.Jobs)
	owner := map[string]*wl{}
	for _, p := range o.Pods {
		if !in(p.Namespace) {
			continue
		}
		w := index[pod(p, jobs).Owner]
		if w == nil {
			continue
		}
		owner[p.Namespace+"/"+p.Name] = w
		if p.Spec.Priority != nil && int(*p.Spec.Priority) < w.w.Priority {
			w.w.Priority = int(*p.Spec.Priority)
		}
		for _, g := range p.Spec.ReadinessGates {
			if c := string(g.ConditionType); !slices.Contains(w.w.ReadinessGates, c) {
				w.w.ReadinessGates = append(w.w.ReadinessGates, c)
				slices.Sort(w.w.ReadinessGates)
			}
		}
		if s, ok := PodStartup(p); ok {
			w.w.Startups = append(w.w.Startups, s)
		} else if p.Status.Phase == corev1.PodRunning {
			w.w.StartupsSkipped++
		}
	}
	for _, e := range o.Events {
		if e.Reason != "Pulled" || e.InvolvedObject.Kind != "Pod" {
			continue
		}
		w := owner[e.InvolvedObject.Namespace+"/"+e.InvolvedObject.Name]
		if w == nil {
			continue
		}
		d, cached, ok := ParsePulled(e.Message)
		switch {
		case cached:
			w.w.CachedPulls++
		case ok:
			w.w.ImagePulls = append(w.w.ImagePulls, d)
		}
	}
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i].ref, ws[j].ref
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Kind < b.Kind
	})
	for _, w := range ws {
		sort.Slice(w.w.Startups, func(i, j int) bool { return w.w.Startups[i].Pod < w.w.Startups[j].Pod })
		out.Workloads = append(out.Workloads, w.w)
	}
	return out
}

func nodeFacts(c *rightsize.Cluster) importer.Nodes {
	n := importer.Nodes{Total: len(c.Nodes), Version: c.Version()}
	n.Autopilot, n.AutopilotSignal = c.Autopilot()
	type key struct{ machine, pool string }
	count := map[key]int{}
	var best key
	for _, nd := range c.Nodes {
		if nd.MachineType == "" {
			continue
		}
		k := key{nd.MachineType, nd.Pool}
		count[k]++
		if count[k] > count[best] || (count[k] == count[best] && (k.machine < best.machine || k.machine == best.machine && k.pool < best.pool)) {
			best = k
		}
	}
	n.MachineType, n.Pool, n.Count = best.machine, best.pool, count[best]
	return n
}

func (o *Objects) pdbFacts(namespace, name string) importer.PDB {
	out := importer.PDB{Name: name}
	for _, p := range o.PDBs {
		if p.Namespace == namespace && p.Name == name {
			out.MinAvailable, out.MaxUnavailable = intOrString(p.Spec.MinAvailable), intOrString(p.Spec.MaxUnavailable)
		}
	}
	return out
}

func intOrString(v *intstr.IntOrString) string {
	if v == nil {
		return ""
	}
	return v.String()
}

// hpaFacts copies an autoscaling/v2 HPA's spec.
func hpaFacts(h autoscalingv2.HorizontalPodAutoscaler) *importer.HPA {
	out := &importer.HPA{Name: h.Name, MaxReplicas: int(h.Spec.MaxReplicas)}
	if h.Spec.MinReplicas != nil {
		out.MinReplicas = int(*h.Spec.MinReplicas)
	}
	for _, m := range h.Spec.Metrics {
		mt := importer.Metric{Type: string(m.Type)}
		var t autoscalingv2.MetricTarget
		var sel *metav1.LabelSelector
		switch {
		case m.Resource != nil && m.Type == autoscalingv2.ResourceMetricSourceType:
			mt.Name, t = string(m.Resource.Name), m.Resource.Target
		case m.ContainerResource != nil && m.Type == autoscalingv2.ContainerResourceMetricSourceType:
			mt.Name, mt.Container, t = string(m.ContainerResource.Name), m.ContainerResource.Container, m.ContainerResource.Target
		case m.Pods != nil && m.Type == autoscalingv2.PodsMetricSourceType:
			mt.Name, t, sel = m.Pods.Metric.Name, m.Pods.Target, m.Pods.Metric.Selector
		case m.Object != nil && m.Type == autoscalingv2.ObjectMetricSourceType:
			mt.Name, t, sel = m.Object.Metric.Name, m.Object.Target, m.Object.Metric.Selector
			mt.Object = importer.ObjectRef{APIVersion: m.Object.DescribedObject.APIVersion, Kind: m.Object.DescribedObject.Kind, Name: m.Object.DescribedObject.Name}
		case m.External != nil && m.Type == autoscalingv2.ExternalMetricSourceType:
			mt.Name, t, sel = m.External.Metric.Name, m.External.Target, m.External.Metric.Selector
		}
		mt.Target = importer.Target{Type: string(t.Type)}
		if t.AverageUtilization != nil {
			mt.Target.AverageUtilization = int(*t.AverageUtilization)
		}
		if t.AverageValue != nil {
			mt.Target.AverageValue = t.AverageValue.String()
		}
		if t.Value != nil {
			mt.Target.Value = t.Value.String()
		}
		if sel != nil && len(sel.MatchLabels) > 0 {
			mt.Selector = sel.MatchLabels
		}
		out.Metrics = append(out.Metrics, mt)
	}
	if b := h.Spec.Behavior; b != nil {
		out.Behavior = &importer.Behavior{ScaleUp: rulesFacts(b.ScaleUp), ScaleDown: rulesFacts(b.ScaleDown)}
	}
	return out
}

func rulesFacts(r *autoscalingv2.HPAScalingRules) *importer.Rules {
	if r == nil {
		return nil
	}
	out := &importer.Rules{}
	if r.StabilizationWindowSeconds != nil {
		w := int(*r.StabilizationWindowSeconds)
		out.StabilizationWindowSeconds = &w
	}
	if r.SelectPolicy != nil {
		out.SelectPolicy = string(*r.SelectPolicy)
	}
	if r.Tolerance != nil {
		out.Tolerance = r.Tolerance.String()
	}
	for _, p := range r.Policies {
		out.Policies = append(out.Policies, importer.Policy{Type: string(p.Type), Value: int(p.Value), PeriodSeconds: int(p.PeriodSeconds)})
	}
	return out
}

// PodStartup reads a pod's start-up from its creation and the times its
// conditions turned true: PodScheduled, Initialized, ContainersReady and
// Ready, in that order. A pod without the four true, out of order, whose
// containers restarted (their conditions changed again since) or that
// took longer than 2h is not a start-up (false).
func PodStartup(p corev1.Pod) (importer.PodStartup, bool) {
	at := map[corev1.PodConditionType]time.Time{}
	for _, c := range p.Status.Conditions {
		if c.Status == corev1.ConditionTrue && !c.LastTransitionTime.IsZero() {
			at[c.Type] = c.LastTransitionTime.Time
		}
	}
	for _, cs := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if cs.RestartCount > 0 {
			return importer.PodStartup{}, false
		}
	}
	created := p.CreationTimestamp.Time
	steps := []time.Time{created, at[corev1.PodScheduled], at[corev1.PodInitialized], at[corev1.ContainersReady], at[corev1.PodReady]}
	for i, t := range steps {
		if t.IsZero() || (i > 0 && t.Before(steps[i-1])) {
			return importer.PodStartup{}, false
		}
	}
	s := importer.PodStartup{Pod: p.Namespace + "/" + p.Name, Schedule: steps[1].Sub(steps[0]), Init: steps[2].Sub(steps[1]),
		Start: steps[3].Sub(steps[2]), Gates: steps[4].Sub(steps[3])}
	if s.Total() > maxStartup {
		return importer.PodStartup{}, false
	}
	return s, true
}

// maxEventMessage is the longest event message ParsePulled reads.
const maxEventMessage = 4096

// ParsePulled reads the message of a kubelet "Pulled" event
// (pkg/kubelet/images/image_manager.go, Kubernetes v1.30 and later:
// `Successfully pulled image "IMAGE" in 3.2s (3.2s including waiting).
// Image size: N bytes.`; earlier: `Successfully pulled image "IMAGE" in
// 3.2s`): the pull's duration (the first, without waiting), or cached
// when the image was already on the node (`Container image "IMAGE"
// already present on machine`). ok is false for any other message, and
// for a duration that is not positive or above an hour.
func ParsePulled(msg string) (d time.Duration, cached, ok bool) {
	if len(msg) > maxEventMessage {
		return 0, false, false
	}
	if strings.HasPrefix(msg, "Container image ") && strings.HasSuffix(strings.TrimSpace(msg), "already present on machine") {
		return 0, true, false
	}
	if !strings.HasPrefix(msg, "Successfully pulled image ") {
		return 0, false, false
	}
	i := strings.LastIndex(msg, `" in `)
	if i < 0 {
		return 0, false, false
	}
	rest := msg[i+len(`" in `):]
	if j := strings.IndexAny(rest, " ("); j >= 0 {
		rest = rest[:j]
	}
	d, err := time.ParseDuration(strings.TrimSuffix(rest, "."))
	if err != nil || d <= 0 || d > time.Hour {
		return 0, false, false
	}
	return d, false, true
}

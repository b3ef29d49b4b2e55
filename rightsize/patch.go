package rightsize

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/units"
)

// Patches renders recs as a stream of YAML documents, one patch per object,
// each preceded by a comment holding the exact `kubectl patch` command
// that applies it:
//
//   - requests: a strategic merge patch of the Deployment or StatefulSet's
//     pod template (containers are merged by name);
//   - HPA changes: a JSON patch of the HorizontalPodAutoscaler
//     (autoscaling/v2): minReplicas, maxReplicas (tested against the
//     current value first) and the CPU target of a Resource or
//     ContainerResource metric (tested to be the CPU one first);
//   - idle workloads: never a patch, only comments with the command to run
//     once the owners confirm (and, when an HPA scales the workload, to
//     delete it first): scaling a live service to zero is not something to
//     apply in bulk.
//
// Node-level recommendations have no Kubernetes patch; they are listed as
// comments. The output is empty when there is nothing to patch.
func Patches(recs []Recommendation) ([]byte, error) {
	for _, r := range recs {
		if err := r.check(); err != nil {
			return nil, err
		}
	}
	type target struct{ kind, ns, name string }
	containers := map[target][]containerPatch{}
	hpas := map[target][]jsonOp{}
	var notes []string
	var order []target
	seen := map[target]bool{}
	add := func(t target) {
		if !seen[t] {
			seen[t] = true
			order = append(order, t)
		}
	}
	for _, r := range recs {
		w := target{r.Kind, r.Namespace, r.Workload}
		if r.Kind == KindPod && r.Action == ActionRequests {
			notes = append(notes, fmt.Sprintf("# Pod %s/%s has no controller to patch: recreate it with the new requests", r.Namespace, r.Workload))
			continue
		}
		switch r.Action {
		case ActionRequests:
			add(w)
			containers[w] = append(containers[w], containerPatchOf(r))
		case ActionIdle:
			notes = append(notes, idleNote(r.Kind, r.Namespace, r.Workload, hpaOf(recs, r.Namespace, r.Workload)))
		case ActionNodeFamily, ActionSpot, ActionCommitment:
			n := r.Nodes
			notes = append(notes, fmt.Sprintf("# node pool %q (%d × %s, %s): %s to %s %s — no Kubernetes patch; change the node pool",
				n.Pool, n.Nodes, n.MachineType, n.Tier, r.Action, n.NewMachineType, n.NewTier))
		}
		if h := r.HPA; h != nil {
			t := target{"HorizontalPodAutoscaler", r.Namespace, h.Name}
			if h.NewCPUTarget != h.CPUTarget && h.CPUMetric < 0 {
				note := fmt.Sprintf("# HPA %s/%s: set its CPU averageUtilization to %.0f by hand, with the request change (the metric's index in spec.metrics is unknown)",
					r.Namespace, h.Name, math.Round(h.NewCPUTarget*100))
				if !slices.Contains(notes, note) {
					notes = append(notes, note)
				}
			}
			if ops := hpaOps(h); len(ops) > 0 {
				add(t)
				hpas[t] = mergeOps(hpas[t], ops)
			}
		}
	}
	slices.SortStableFunc(order, func(a, b target) int {
		return cmp.Or(cmp.Compare(a.ns, b.ns), cmp.Compare(a.name, b.name), cmp.Compare(kindOrder(a.kind), kindOrder(b.kind)))
	})
	var docs []string
	for _, t := range order {
		var doc string
		var err error
		switch {
		case t.kind == "HorizontalPodAutoscaler":
			doc, err = jsonPatchDoc(t.ns, t.name, hpas[t])
		default:
			doc, err = requestsDoc(t.kind, t.ns, t.name, containers[t])
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	if len(notes) > 0 {
		docs = append(docs, strings.Join(notes, "\n")+"\n")
	}
	return []byte(strings.Join(docs, "---\n")), nil
}

func kindOrder(kind string) int {
	if kind == "HorizontalPodAutoscaler" {
		return 1
	}
	return 0
}

func hpaOf(recs []Recommendation, ns, workload string) string {
	for _, r := range recs {
		if r.Namespace == ns && r.Workload == workload && r.HPA != nil {
			return r.HPA.Name
		}
	}
	return ""
}

type resourceList struct {
	CPU    string `json:"cpu,omitempty" yaml:"cpu,omitempty"`
	Memory string `json:"memory,omitempty" yaml:"memory,omitempty"`
}

type containerResources struct {
	Requests *resourceList `json:"requests,omitempty" yaml:"requests,omitempty"`
	Limits   *resourceList `json:"limits,omitempty" yaml:"limits,omitempty"`
}

type containerPatch struct {
	Name      string             `json:"name" yaml:"name"`
	Resources containerResources `json:"resources" yaml:"resources"`
}

func containerPatchOf(r Recommendation) containerPatch {
	c := containerPatch{Name: r.Container, Resources: containerResources{Requests: &resourceList{}}}
	if r.CPURequest != r.CurrentCPURequest {
		c.Resources.Requests.CPU = units.CPU(r.CPURequest)
	}
	if r.MemoryRequest != r.CurrentMemoryRequest {
		c.Resources.Requests.Memory = FormatMemory(r.MemoryRequest)
	}
	if r.CPULimit > 0 || r.MemoryLimit > 0 {
		c.Resources.Limits = &resourceList{}
		if r.CPULimit > 0 {
			c.Resources.Limits.CPU = units.CPU(r.CPULimit)
		}
		if r.MemoryLimit > 0 {
			c.Resources.Limits.Memory = FormatMemory(r.MemoryLimit)
		}
	}
	if *c.Resources.Requests == (resourceList{}) {
		c.Resources.Requests = nil
	}
	return c
}

type objectMeta struct {
	Name      string `json:"name" yaml:"name"`
	Namespace string `json:"namespace" yaml:"namespace"`
}

type strategicPatch struct {
	APIVersion string     `json:"apiVersion" yaml:"apiVersion"`
	Kind       string     `json:"kind" yaml:"kind"`
	Metadata   objectMeta `json:"metadata" yaml:"metadata"`
	Spec       any        `json:"spec" yaml:"spec"`
}

type podTemplatePatch struct {
	Template struct {
		Spec struct {
			Containers []containerPatch `json:"containers" yaml:"containers"`
		} `json:"spec" yaml:"spec"`
	} `json:"template" yaml:"template"`
}

func requestsDoc(kind, ns, name string, cs []containerPatch) (string, error) {
	var spec podTemplatePatch
	spec.Template.Spec.Containers = cs
	return strategicDoc(kind, ns, name, spec, fmt.Sprintf("%s %s/%s: container requests from usage", kind, ns, name))
}

// idleNote is the comment for a workload that looks unused: what to run
// once its owners have confirmed it, never a patch to apply.
func idleNote(kind, ns, name, hpa string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s/%s looks unused (see the reason in the report). Confirm with its owners, then:\n", kind, ns, name)
	if hpa != "" {
		fmt.Fprintf(&b, "#   kubectl delete hpa %s -n %s\n", hpa, ns)
	}
	fmt.Fprintf(&b, "#   kubectl scale %s %s -n %s --replicas=0", strings.ToLower(kind), name, ns)
	return b.String()
}

func strategicDoc(kind, ns, name string, spec any, title string) (string, error) {
	p := strategicPatch{APIVersion: "apps/v1", Kind: kind, Metadata: objectMeta{Name: name, Namespace: ns}, Spec: spec}
	return document(title, "strategic", strings.ToLower(kind), ns, name, p)
}

// jsonOp is one RFC 6902 operation.
type jsonOp struct {
	Op    string `json:"op" yaml:"op"`
	Path  string `json:"path" yaml:"path"`
	Value any    `json:"value" yaml:"value"`
}

func hpaOps(h *HPAChange) []jsonOp {
	var ops []jsonOp
	if h.NewMinReplicas != h.MinReplicas {
		ops = append(ops, jsonOp{"add", "/spec/minReplicas", h.NewMinReplicas})
	}
	if h.NewMaxReplicas != h.MaxReplicas && h.MaxReplicas > 0 {
		ops = append(ops, jsonOp{"test", "/spec/maxReplicas", h.MaxReplicas}, jsonOp{"replace", "/spec/maxReplicas", h.NewMaxReplicas})
	}
	if h.NewCPUTarget != h.CPUTarget && h.CPUMetric >= 0 {
		base := fmt.Sprintf("/spec/metrics/%d/resource", h.CPUMetric)
		if h.CPUContainer != "" {
			base = fmt.Sprintf("/spec/metrics/%d/containerResource", h.CPUMetric)
			ops = append(ops, jsonOp{"test", base + "/container", h.CPUContainer})
		}
		ops = append(ops,
			jsonOp{"test", base + "/name", "cpu"},
			jsonOp{"replace", base + "/target/averageUtilization", int(math.Round(h.NewCPUTarget * 100))})
	}
	return ops
}

func mergeOps(a, b []jsonOp) []jsonOp {
	for _, op := range b {
		if !slices.ContainsFunc(a, func(x jsonOp) bool { return x.Op == op.Op && x.Path == op.Path }) {
			a = append(a, op)
		}
	}
	return a
}

func jsonPatchDoc(ns, name string, ops []jsonOp) (string, error) {
	return document(fmt.Sprintf("HorizontalPodAutoscaler %s/%s", ns, name), "json", "hpa", ns, name, ops)
}

// document writes a patch as a YAML document after a comment with the
// kubectl command that applies it.
func document(title, patchType, resource, ns, name string, patch any) (string, error) {
	js, err := json.Marshal(patch)
	if err != nil {
		return "", fmt.Errorf("patch %s: %w", title, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n# kubectl patch %s %s -n %s --type=%s -p '%s'\n", title, resource, name, ns, patchType, js)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(patch); err != nil {
		return "", fmt.Errorf("patch %s: %w", title, err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("patch %s: %w", title, err)
	}
	return b.String(), nil
}

// check refuses a recommendation whose figures cannot go into a manifest:
// not finite, negative, or a zero request where one is recommended.
func (r Recommendation) check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"cpu request", r.CPURequest}, {"memory request", r.MemoryRequest}, {"cpu limit", r.CPULimit}, {"memory limit", r.MemoryLimit}} {
		if bad(f.v) {
			return fmt.Errorf("%s %s/%s %s: %s is %g: not a value to patch", r.Action, r.Namespace, r.Workload, r.Container, f.name, f.v)
		}
	}
	if r.Action == ActionRequests && ((r.CPURequest <= 0 && r.CurrentCPURequest > 0) || (r.MemoryRequest <= 0 && r.CurrentMemoryRequest > 0)) {
		return fmt.Errorf("requests %s/%s %s: a zero request is not a recommendation", r.Namespace, r.Workload, r.Container)
	}
	if h := r.HPA; h != nil && (h.NewMinReplicas < 1 || (h.MaxReplicas > 0 && h.NewMaxReplicas < h.NewMinReplicas) || bad(h.NewCPUTarget) || h.NewCPUTarget > 1) {
		return fmt.Errorf("HPA %s/%s: min %d, max %d, target %g: not a value to patch", r.Namespace, h.Name, h.NewMinReplicas, h.NewMaxReplicas, h.NewCPUTarget)
	}
	return nil
}

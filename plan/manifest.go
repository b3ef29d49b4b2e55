package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/sim"
	"github.com/headroom-sre/headroom/units"
)

// PrescaleKind is how the pre-scaling before events is applied.
type PrescaleKind string

// Ways to pre-scale.
const (
	// PrescaleKEDA: a KEDA ScaledObject with a cron trigger per event; it
	// takes over the component's HPA (KEDA's transfer-hpa-ownership).
	PrescaleKEDA PrescaleKind = "keda"
	// PrescaleCronJob: Kubernetes CronJobs that raise the HPA's
	// minReplicas before each event and restore it after.
	PrescaleCronJob PrescaleKind = "cronjob"
)

// ParsePrescaleKind reads "keda" or "cronjob".
func ParsePrescaleKind(s string) (PrescaleKind, error) {
	switch k := PrescaleKind(strings.ToLower(strings.TrimSpace(s))); k {
	case PrescaleKEDA, PrescaleCronJob:
		return k, nil
	}
	return "", fmt.Errorf("pre-scale with %q: want keda or cronjob", s)
}

// DefaultKubectlImage runs kubectl in the CronJobs; pin it to your
// cluster's minor version.
const DefaultKubectlImage = "registry.k8s.io/kubectl:v1.33.0"

// ManifestOptions shape the manifests.
type ManifestOptions struct {
	// Prescale is how pre-scaling is applied; "" means PrescaleKEDA.
	Prescale PrescaleKind
	// Namespace, when set, goes into every object's metadata.
	Namespace string
	// EventAt is when each scenario's event starts on the wall clock, by
	// scenario name. Events without one are scheduled monthly at 20:00 on
	// the 15th, the 16th and so on (placeholders the YAML says to change).
	EventAt map[string]time.Time
	// Location is the time zone of the schedules; nil means UTC.
	Location *time.Location
	// KubectlImage is the CronJobs' image; "" means DefaultKubectlImage.
	KubectlImage string
	// Source is the System document the plan was made from (its top
	// mapping). HPAs keep what headroom does not model from it (the
	// scaleTargetRef, an Object metric's describedObject, selectors).
	Source *yaml.Node
}

// Manifest is one file of Kubernetes objects.
type Manifest struct {
	// File is a file name for it: app.hpa.yaml.
	File string `json:"file"`
	// Component names the component it is for ("" for the buffer).
	Component string `json:"component,omitempty"`
	// Kinds lists the objects' kinds.
	Kinds []string `json:"kinds"`
	// YAML is the file's content.
	YAML string `json:"yaml"`
	// Note is something to know before applying it.
	Note string `json:"note,omitempty"`
}

// placeholderEvent is the placeholder time of the j-th event: 20:00 on
// the 15th of the month, the next event a day later.
func placeholderEvent(loc *time.Location, j int) time.Time {
	return time.Date(2026, 1, 15+j%10, 20, 0, 0, 0, loc)
}

// Manifests writes the recommendation as Kubernetes objects: per
// component the HPA, a resources patch for the Deployment, and the
// pre-scaling (a KEDA ScaledObject, or CronJobs with their RBAC); and the
// placeholder pods or the GKE CapacityBuffer that hold spare node
// capacity.
func Manifests(rec *Evaluation, opt ManifestOptions) ([]Manifest, error) {
	if rec == nil {
		return nil, errf("no configuration to write")
	}
	if opt.Prescale == "" {
		opt.Prescale = PrescaleKEDA
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.KubectlImage == "" {
		opt.KubectlImage = DefaultKubectlImage
	}
	w := &writer{opt: opt}
	for _, o := range rec.Scenarios {
		if o.Event == sim.EventSurprise.String() {
			w.surprises = append(w.surprises, o.Name)
		}
	}
	var out []Manifest
	for i := range rec.Config.Components {
		cc := &rec.Config.Components[i]
		src := w.sourceComponent(cc.Name)
		keda := opt.Prescale == PrescaleKEDA && len(cc.Prescale) > 0
		var note string
		if keda && cc.HPA != nil && !cpuOnly(rec.System.Components[i].HPA) {
			keda, note = false, "the HPA scales on metrics KEDA's cpu trigger cannot express; pre-scaling falls back to CronJobs"
		}
		if cc.HPA != nil && !keda {
			m, err := w.hpa(cc, src)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		m, err := w.patch(cc)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		if len(cc.Prescale) > 0 {
			if keda {
				m, err = w.scaledObject(cc, src)
			} else {
				m, err = w.cronJobs(cc)
			}
			if err != nil {
				return nil, err
			}
			if note != "" {
				m.Note = note
			}
			out = append(out, m)
		}
	}
	if b := rec.Config.Buffer; b.Count > 0 {
		write := w.placeholders
		if b.CapacityBuffer() {
			write = w.capacityBuffer
		}
		m, err := write(b)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func cpuOnly(h *sim.HPA) bool {
	if h == nil {
		return false
	}
	for _, m := range h.Metrics {
		if m.Source != sim.ResourceMetric {
			return false
		}
	}
	return true
}

type writer struct {
	opt       ManifestOptions
	events    []string // scenarios with an event, in order of first appearance
	surprises []string // scenarios planned as surprises
}

// surpriseNote says which scenarios the autoscaling is sized for without
// pre-scaling, or "" when none.
func (w *writer) surpriseNote() string {
	if len(w.surprises) == 0 {
		return ""
	}
	return fmt.Sprintf("\nSized %s: %s (no pre-scaling: minReplicas, the target and the behavior absorb it).",
		sim.ForASurprise, strings.Join(w.surprises, ", "))
}

// scenarioIndex numbers the scenarios pre-scaled for, to give each
// placeholder event its own day.
func (w *writer) scenarioIndex(name string) int {
	for j, n := range w.events {
		if n == name {
			return j
		}
	}
	w.events = append(w.events, name)
	return len(w.events) - 1
}

func (w *writer) meta(name string, extra ...any) *yaml.Node {
	kv := []any{"name", name}
	if w.opt.Namespace != "" {
		kv = append(kv, "namespace", w.opt.Namespace)
	}
	return mapping(append(kv, extra...)...)
}

// sourceComponent is the component's node in the System file, or nil.
func (w *writer) sourceComponent(name string) *yaml.Node {
	comps := child(child(w.opt.Source, "spec"), "components")
	if comps == nil {
		return nil
	}
	for _, c := range comps.Content {
		if n := child(c, "name"); n != nil && n.Value == name {
			return c
		}
	}
	return nil
}

func (w *writer) manifest(file, comp, head string, docs ...*yaml.Node) (Manifest, error) {
	m := Manifest{File: file, Component: comp}
	for _, d := range docs {
		m.Kinds = append(m.Kinds, child(d, "kind").Value)
	}
	docs[0].HeadComment = head
	b, err := encode(docs...)
	if err != nil {
		return m, err
	}
	m.YAML = string(b)
	return m, nil
}

// hpa is the component's autoscaling/v2 HorizontalPodAutoscaler.
func (w *writer) hpa(cc *ComponentConfig, src *yaml.Node) (Manifest, error) {
	doc := mapping("apiVersion", "autoscaling/v2", "kind", "HorizontalPodAutoscaler", "metadata", w.meta(cc.Name), "spec", w.hpaSpec(cc, src))
	return w.manifest(cc.Name+".hpa.yaml", cc.Name, fmt.Sprintf("headroom plan: %s's autoscaler (kubectl apply -f %s.hpa.yaml)%s", cc.Name, cc.Name, w.surpriseNote()), doc)
}

func (w *writer) hpaSpec(cc *ComponentConfig, src *yaml.Node) *yaml.Node {
	h := cc.HPA
	ref := mapping("apiVersion", "apps/v1", "kind", "Deployment", "name", cc.Name)
	srcHPA := child(src, "hpa")
	if r := child(srcHPA, "scaleTargetRef"); r != nil {
		ref = clone(r)
	}
	spec := mapping("scaleTargetRef", ref, "minReplicas", h.MinReplicas, "maxReplicas", h.MaxReplicas, "metrics", w.metrics(cc, srcHPA))
	if b := w.behavior(h, srcHPA); b != nil {
		set(spec, "behavior", b)
	}
	return spec
}

// metrics are the HPA's metrics: the file's, with the first target set
// to the plan's; or, without the file, made from the model.
func (w *writer) metrics(cc *ComponentConfig, srcHPA *yaml.Node) *yaml.Node {
	m := cc.HPA.metric
	if ms := child(srcHPA, "metrics"); ms != nil && len(ms.Content) > 0 {
		out := clone(ms)
		first := out.Content[0]
		typ := child(first, "type")
		if typ != nil {
			body := child(first, lowerFirst(typ.Value))
			if target := child(body, "target"); target != nil {
				setTarget(target, m)
				return out
			}
		}
	}
	var body *yaml.Node
	switch m.Source {
	case sim.ResourceMetric:
		body = mapping("name", "cpu", "target", targetNode(m))
	case sim.ObjectMetric:
		body = mapping("describedObject", mapping("apiVersion", "networking.k8s.io/v1", "kind", "Ingress", "name", cc.Name),
			"metric", mapping("name", m.Name), "target", targetNode(m))
	default:
		body = mapping("metric", mapping("name", m.Name), "target", targetNode(m))
	}
	return seq(mapping("type", m.Source.String(), lowerFirst(m.Source.String()), body))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func targetNode(m sim.Metric) *yaml.Node {
	t := mapping("type", m.Target.String())
	setTarget(t, m)
	return t
}

// setTarget writes a metric's target value into a target mapping.
func setTarget(t *yaml.Node, m sim.Metric) {
	del(t, "averageUtilization")
	del(t, "averageValue")
	del(t, "value")
	set(t, "type", str(m.Target.String()))
	switch m.Target {
	case sim.UtilizationTarget:
		set(t, "averageUtilization", intNode(m.AverageUtilization))
	case sim.AverageValueTarget:
		set(t, "averageValue", quoted(quantity(m.Value)))
	default:
		set(t, "value", quoted(quantity(m.Value)))
	}
}

// behavior is the HPA's behavior: the file's, with the fast scale-up
// when the plan chose it.
func (w *writer) behavior(h *HPAConfig, srcHPA *yaml.Node) *yaml.Node {
	src := child(srcHPA, "behavior")
	if h.ScaleUp != behaviorFast {
		if src != nil {
			return clone(src)
		}
		return behaviorNode(h.Behavior)
	}
	out := mapping()
	if src != nil {
		out = clone(src)
	}
	if h.Behavior != nil {
		set(out, "scaleUp", rulesNode(h.Behavior.ScaleUp))
		if src == nil && h.Behavior.ScaleDown != nil {
			set(out, "scaleDown", rulesNode(h.Behavior.ScaleDown))
		}
	}
	return out
}

func behaviorNode(b *sim.Behavior) *yaml.Node {
	if b == nil {
		return nil
	}
	out := mapping()
	if b.ScaleUp != nil {
		set(out, "scaleUp", rulesNode(b.ScaleUp))
	}
	if b.ScaleDown != nil {
		set(out, "scaleDown", rulesNode(b.ScaleDown))
	}
	return out
}

func rulesNode(r *sim.ScalingRules) *yaml.Node {
	out := mapping()
	if r == nil {
		return out
	}
	if r.StabilizationWindow != nil {
		set(out, "stabilizationWindowSeconds", intNode(int(r.StabilizationWindow.Seconds())))
	}
	if r.SelectPolicy != nil {
		set(out, "selectPolicy", str(r.SelectPolicy.String()))
	}
	if r.Policies != nil {
		ps := seq()
		for _, p := range r.Policies {
			ps.Content = append(ps.Content, mapping("type", p.Type.String(), "value", p.Value, "periodSeconds", int(p.Period.Seconds())))
		}
		set(out, "policies", ps)
	}
	if r.Tolerance != nil {
		set(out, "tolerance", quoted(strconv.FormatFloat(*r.Tolerance, 'g', -1, 64)))
	}
	return out
}

// patch is a strategic-merge patch of the Deployment's resources (and
// replicas, without an HPA).
func (w *writer) patch(cc *ComponentConfig) (Manifest, error) {
	requests := mapping("cpu", units.CPU(cc.CPURequest), "memory", fmtBytes(cc.MemoryRequest))
	limits := mapping()
	if cc.CPULimit > 0 {
		set(limits, "cpu", str(units.CPU(cc.CPULimit)))
	}
	if cc.MemoryLimit > 0 {
		set(limits, "memory", str(fmtBytes(cc.MemoryLimit)))
	}
	res := mapping("requests", requests)
	if len(limits.Content) > 0 {
		set(res, "limits", limits)
	}
	spec := mapping()
	if cc.HPA == nil {
		set(spec, "replicas", intNode(cc.Replicas))
	}
	set(spec, "template", mapping("spec", mapping("containers", seq(mapping("name", cc.Name, "resources", res)))))
	doc := mapping("apiVersion", "apps/v1", "kind", "Deployment", "metadata", w.meta(cc.Name), "spec", spec)
	head := fmt.Sprintf("headroom plan: %s's pod resources, as a patch (the container is assumed to be named %s):\n"+
		"kubectl patch deployment %s --patch-file %s.resources.yaml", cc.Name, cc.Name, cc.Name, cc.Name)
	return w.manifest(cc.Name+".resources.yaml", cc.Name, head, doc)
}

// window is a pre-scale step on the wall clock.
type wallWindow struct {
	scenario          string
	replicas          int
	event, start, end time.Time
	given             bool
}

func (w *writer) windows(cc *ComponentConfig) []wallWindow {
	var out []wallWindow
	for _, p := range cc.Prescale {
		e, given := w.opt.EventAt[p.Scenario]
		if given {
			e = e.In(w.opt.Location)
		} else {
			e = placeholderEvent(w.opt.Location, w.scenarioIndex(p.Scenario))
		}
		start := e.Add(-p.Lead).Truncate(time.Minute)
		end := e.Add(p.End - p.Event)
		if end.Truncate(time.Minute) != end {
			end = end.Truncate(time.Minute).Add(time.Minute)
		}
		out = append(out, wallWindow{scenario: p.Scenario, replicas: p.Replicas, event: e, start: start, end: end, given: given})
	}
	return out
}

// cron writes a time as a cron schedule: yearly on that date for a
// given event, monthly on that day for the placeholder.
func cron(t time.Time, given bool) string {
	if given {
		return fmt.Sprintf("%d %d %d %d *", t.Minute(), t.Hour(), t.Day(), int(t.Month()))
	}
	return fmt.Sprintf("%d %d %d * *", t.Minute(), t.Hour(), t.Day())
}

func (w *writer) scheduleNote(ws []wallWindow) string {
	var lines []string
	for _, x := range ws {
		when := fmt.Sprintf("a placeholder: the event at 20:00 on the %s of every month, until scenario %s is given its start time", ordinal(x.event.Day()), x.scenario)
		if x.given {
			when = "for the event at " + x.event.Format(time.RFC3339) + "; the schedule repeats yearly"
		}
		lines = append(lines, fmt.Sprintf("%s: %d replicas from %s to %s, %s", x.scenario, x.replicas,
			x.start.Format("15:04"), x.end.Format("15:04"), when))
	}
	return strings.Join(lines, "\n")
}

func ordinal(d int) string {
	suffix := "th"
	switch {
	case d%100 >= 11 && d%100 <= 13:
	case d%10 == 1:
		suffix = "st"
	case d%10 == 2:
		suffix = "nd"
	case d%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(d) + suffix
}

// scaledObject is a KEDA ScaledObject with the HPA's settings, a cpu
// trigger for its target and a cron trigger per event.
func (w *writer) scaledObject(cc *ComponentConfig, src *yaml.Node) (Manifest, error) {
	ws := w.windows(cc)
	var triggers []*yaml.Node
	minCount, maxCount := cc.Replicas, cc.Replicas
	adv := mapping("name", cc.Name)
	if h := cc.HPA; h != nil {
		minCount, maxCount = h.MinReplicas, h.MaxReplicas
		m := h.metric
		meta := mapping("value", quoted(strconv.Itoa(m.AverageUtilization)))
		metricType := "Utilization"
		if m.Target == sim.AverageValueTarget {
			meta, metricType = mapping("value", quoted(quantity(m.Value))), "AverageValue"
		}
		triggers = append(triggers, mapping("type", "cpu", "metricType", metricType, "metadata", meta))
		if b := w.behavior(h, child(src, "hpa")); b != nil {
			set(adv, "behavior", b)
		}
	}
	for _, x := range ws {
		maxCount = max(maxCount, x.replicas)
		triggers = append(triggers, mapping("type", "cron", "name", x.scenario, "metadata", mapping(
			"timezone", w.opt.Location.String(), "start", quoted(cron(x.start, x.given)), "end", quoted(cron(x.end, x.given)),
			"desiredReplicas", quoted(strconv.Itoa(x.replicas)))))
	}
	spec := mapping("scaleTargetRef", mapping("name", cc.Name), "minReplicaCount", minCount, "maxReplicaCount", maxCount,
		"advanced", mapping("horizontalPodAutoscalerConfig", adv), "triggers", seq(triggers...))
	doc := mapping("apiVersion", "keda.sh/v1alpha1", "kind", "ScaledObject",
		"metadata", w.meta(cc.Name, "annotations", mapping("scaledobject.keda.sh/transfer-hpa-ownership", quoted("true"))), "spec", spec)
	head := fmt.Sprintf("headroom plan: %s's autoscaling with pre-scaling before events, for KEDA,\n"+
		"%s of each. It takes over the HPA %s (apply it instead of %s.hpa.yaml).%s\n%s",
		cc.Name, sim.AssumingTheDate, cc.Name, cc.Name, w.surpriseNote(), w.scheduleNote(ws))
	return w.manifest(cc.Name+".prescale.yaml", cc.Name, head, doc)
}

// cronJobs raise the floor before each event and restore it after, with
// the ServiceAccount and RBAC they run as.
func (w *writer) cronJobs(cc *ComponentConfig) (Manifest, error) {
	ws := w.windows(cc)
	sa := cc.Name + "-prescaler"
	rule := mapping("apiGroups", seq(quoted("autoscaling")), "resources", seq(str("horizontalpodautoscalers")),
		"resourceNames", seq(str(cc.Name)), "verbs", seq(str("get"), str("patch")))
	floor := cc.Replicas
	if cc.HPA != nil {
		floor = cc.HPA.MinReplicas
	} else {
		rule = mapping("apiGroups", seq(quoted("apps")), "resources", seq(str("deployments"), str("deployments/scale")),
			"resourceNames", seq(str(cc.Name)), "verbs", seq(str("get"), str("patch"), str("update")))
	}
	docs := []*yaml.Node{
		mapping("apiVersion", "v1", "kind", "ServiceAccount", "metadata", w.meta(sa)),
		mapping("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "Role", "metadata", w.meta(sa), "rules", seq(rule)),
		mapping("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "RoleBinding", "metadata", w.meta(sa),
			"roleRef", mapping("apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name", sa),
			"subjects", seq(w.subject(sa))),
	}
	for _, x := range ws {
		for _, step := range []struct {
			suffix   string
			at       time.Time
			replicas int
		}{{"up", x.start, x.replicas}, {"down", x.end, floor}} {
			name := dnsName(fmt.Sprintf("%s-%s-%s", cc.Name, x.scenario, step.suffix))
			docs = append(docs, w.cronJob(name, sa, cron(step.at, x.given), w.command(cc, step.replicas)))
		}
	}
	head := fmt.Sprintf("headroom plan: %s's pre-scaling before events, as CronJobs that set its floor,\n%s of each.\n%s",
		cc.Name, sim.AssumingTheDate, w.scheduleNote(ws))
	return w.manifest(cc.Name+".prescale.yaml", cc.Name, head, docs...)
}

func (w *writer) subject(sa string) *yaml.Node {
	s := mapping("kind", "ServiceAccount", "name", sa)
	if w.opt.Namespace != "" {
		set(s, "namespace", str(w.opt.Namespace))
	}
	return s
}

func (w *writer) command(cc *ComponentConfig, replicas int) *yaml.Node {
	args := []string{"kubectl", "patch", "hpa", cc.Name, "--type=merge", "-p", fmt.Sprintf(`{"spec":{"minReplicas":%d}}`, replicas)}
	if cc.HPA == nil {
		args = []string{"kubectl", "scale", "deployment", cc.Name, "--replicas=" + strconv.Itoa(replicas)}
	}
	out := seq()
	for _, a := range args {
		out.Content = append(out.Content, str(a))
	}
	return out
}

func (w *writer) cronJob(name, sa, schedule string, command *yaml.Node) *yaml.Node {
	pod := mapping("serviceAccountName", sa, "restartPolicy", "OnFailure",
		"containers", seq(mapping("name", "kubectl", "image", w.opt.KubectlImage, "command", command)))
	job := mapping("backoffLimit", 3, "template", mapping("spec", pod))
	spec := mapping("schedule", quoted(schedule), "timeZone", w.opt.Location.String(), "concurrencyPolicy", "Forbid",
		"startingDeadlineSeconds", 300, "jobTemplate", mapping("spec", job))
	return mapping("apiVersion", "batch/v1", "kind", "CronJob", "metadata", w.meta(name), "spec", spec)
}

// placeholders hold spare node capacity: pause pods at a priority below
// every workload's, which the scheduler evicts for real pods at once.
func (w *writer) placeholders(b Buffer) (Manifest, error) {
	const name = "headroom-placeholder"
	pc := mapping("apiVersion", "scheduling.k8s.io/v1", "kind", "PriorityClass", "metadata", mapping("name", name),
		"value", -10, "globalDefault", false, "preemptionPolicy", "Never",
		"description", "Placeholder pods holding spare node capacity; any workload preempts them.")
	labels := mapping("app.kubernetes.io/name", name)
	res := mapping("requests", mapping("cpu", units.CPU(b.CPU), "memory", fmtBytes(b.Memory)))
	pod := mapping("priorityClassName", name, "terminationGracePeriodSeconds", 0,
		"containers", seq(mapping("name", "pause", "image", "registry.k8s.io/pause:3.10", "resources", res)))
	dep := mapping("apiVersion", "apps/v1", "kind", "Deployment", "metadata", w.meta(name),
		"spec", mapping("replicas", b.Count, "selector", mapping("matchLabels", labels),
			"template", mapping("metadata", mapping("labels", clone(labels)), "spec", pod)))
	head := fmt.Sprintf("headroom plan: spare node capacity, %s: new pods take it at once while nodes are added.", b)
	return w.manifest("placeholders.yaml", "", head, pc, dep)
}

// capacityBuffer holds spare node capacity the GKE way: a CapacityBuffer
// of replicas units, each the size of a PodTemplate's requests (the
// cluster autoscaler simulates the units; no pod runs).
func (w *writer) capacityBuffer(b Buffer) (Manifest, error) {
	const name = "headroom-buffer"
	strategy, minGKE, how := sim.ActiveProvisioningStrategy, sim.ActiveBufferMinGKE, "running nodes: new pods take the room at once"
	if b.Kind == "standby" {
		strategy, minGKE = sim.StandbyProvisioningStrategy, sim.StandbyBufferMinGKE
		how = fmt.Sprintf("suspended nodes: new pods take the room once a node resumes (about %s), and are billed for storage only while suspended; standby buffers need node auto-provisioning", units.Duration(sim.DefaultStandbyResume))
	}
	res := mapping("requests", mapping("cpu", units.CPU(b.CPU), "memory", fmtBytes(b.Memory)))
	tmpl := mapping("apiVersion", "v1", "kind", "PodTemplate", "metadata", w.meta(name+"-unit"),
		"template", mapping("spec", mapping("containers", seq(mapping("name", "unit", "image", "registry.k8s.io/pause:3.10", "resources", res)))))
	buf := mapping("apiVersion", sim.CapacityBufferAPIVersion, "kind", "CapacityBuffer", "metadata", w.meta(name),
		"spec", mapping("provisioningStrategy", strategy, "podTemplateRef", mapping("name", name+"-unit"), "replicas", b.Count))
	head := fmt.Sprintf("headroom plan: spare node capacity, %s, on %s.\nNeeds GKE %s or later (CapacityBuffer, API group autoscaling.x-k8s.io); apply the PodTemplate and the buffer in the same namespace.", b, how, minGKE)
	return w.manifest("capacitybuffer.yaml", "", head, tmpl, buf)
}

// dnsName trims a name to a DNS label of at most 52 characters (a
// CronJob's limit).
func dnsName(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 52 {
		out = strings.Trim(out[:52], "-")
	}
	return out
}

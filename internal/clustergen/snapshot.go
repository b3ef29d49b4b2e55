package clustergen

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// list is what kubectl get -o yaml prints for several objects.
type list struct {
	APIVersion string            `json:"apiVersion"`
	Items      []any             `json:"items"`
	Kind       string            `json:"kind"`
	Metadata   map[string]string `json:"metadata"`
}

// objects builds the snapshot's objects in kubectl's order: by resource
// as asked for (deploy, sts, ds, cronjob, job, hpa, pdb, pod, node), then
// by namespace and name.
type objects struct {
	g       *gen
	rv      int64
	deploys []any
	sts     []any
	ds      []any
	cronjob []any
	jobs    []any
	hpas    []any
	pdbs    []any
	pods    []any
	nodes   []any
}

func (g *gen) snapshot() []byte {
	o := &objects{g: g, rv: 48_000_000 + int64(g.rng("resource-version").IntN(1_000_000))}
	wls := append([]*wl(nil), g.wls...)
	sort.SliceStable(wls, func(i, j int) bool {
		if wls[i].ns != wls[j].ns {
			return wls[i].ns < wls[j].ns
		}
		return wls[i].name < wls[j].name
	})
	for _, w := range wls {
		o.workload(w)
	}
	// Pods sort by namespace, then name, across workloads.
	type named struct {
		key string
		obj any
	}
	var pods []named
	for _, w := range wls {
		for _, p := range g.snapshotPods(w) {
			pods = append(pods, named{w.ns + "/" + p.name, o.pod(w, p)})
		}
	}
	sort.SliceStable(pods, func(i, j int) bool { return pods[i].key < pods[j].key })
	for _, p := range pods {
		o.pods = append(o.pods, p.obj)
	}
	nodes := append([]*node(nil), g.nodes...)
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	for _, n := range nodes {
		o.nodes = append(o.nodes, o.node(n))
	}
	l := list{APIVersion: "v1", Kind: "List", Metadata: map[string]string{"resourceVersion": ""}}
	for _, part := range [][]any{o.deploys, o.sts, o.ds, o.cronjob, o.jobs, o.hpas, o.pdbs, o.pods, o.nodes} {
		l.Items = append(l.Items, part...)
	}
	out, err := yaml.Marshal(l)
	if err != nil {
		panic("clustergen: marshal snapshot: " + err.Error())
	}
	return out
}

func (o *objects) nextRV() string {
	o.rv += 1 + int64(o.g.rng("rv", strconv.FormatInt(o.rv, 10)).IntN(5000))
	return strconv.FormatInt(o.rv, 10)
}

func ts(t int64) metav1.Time { return metav1.NewTime(time.Unix(t, 0).UTC()) }

func ptr[T any](v T) *T { return &v }

func cpuQ(c float64) resource.Quantity {
	m := int64(math.Round(c * 1000))
	if m%1000 == 0 {
		return *resource.NewQuantity(m/1000, resource.DecimalSI)
	}
	return *resource.NewMilliQuantity(m, resource.DecimalSI)
}

func memQ(b float64) resource.Quantity {
	n := int64(b)
	switch {
	case n%(1<<30) == 0:
		return resource.MustParse(fmt.Sprintf("%dGi", n>>30))
	case n%(1<<20) == 0:
		return resource.MustParse(fmt.Sprintf("%dMi", n>>20))
	}
	return resource.MustParse(fmt.Sprintf("%dKi", n>>10))
}

func (w *wl) labels() map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      w.name,
		"app.kubernetes.io/component": w.component,
		"app.kubernetes.io/part-of":   w.ns,
	}
}

func (w *wl) selector() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": w.name}}
}

func resources(s *ctrSpec) corev1.ResourceRequirements {
	var r corev1.ResourceRequirements
	add := func(l *corev1.ResourceList, v res) {
		if v.cpu == 0 && v.mem == 0 {
			return
		}
		*l = corev1.ResourceList{}
		if v.cpu > 0 {
			(*l)[corev1.ResourceCPU] = cpuQ(v.cpu)
		}
		if v.mem > 0 {
			(*l)[corev1.ResourceMemory] = memQ(v.mem)
		}
	}
	add(&r.Requests, s.req)
	add(&r.Limits, s.lim)
	return r
}

// podSpec is the pod template's spec.
func (o *objects) podSpec(w *wl) corev1.PodSpec {
	ps := corev1.PodSpec{
		RestartPolicy:                 corev1.RestartPolicyAlways,
		TerminationGracePeriodSeconds: ptr[int64](30),
		DNSPolicy:                     corev1.DNSClusterFirst,
		SchedulerName:                 corev1.DefaultSchedulerName,
		SecurityContext:               &corev1.PodSecurityContext{},
		ServiceAccountName:            w.name,
		DeprecatedServiceAccount:      w.name,
	}
	if w.kind == "CronJob" {
		ps.RestartPolicy = corev1.RestartPolicyNever
	}
	if o.g.opts.Mode == Standard && w.pool != "" {
		ps.NodeSelector = map[string]string{"cloud.google.com/gke-nodepool": w.pool}
	}
	for i := range w.ctrs {
		s := &w.ctrs[i]
		c := corev1.Container{
			Name: s.name, Image: s.image, ImagePullPolicy: corev1.PullIfNotPresent,
			Resources:                resources(s),
			TerminationMessagePath:   corev1.TerminationMessagePathDefault,
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		}
		if s.port > 0 {
			c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: s.port, Protocol: corev1.ProtocolTCP}}
			if i > 0 {
				c.Ports[0].Name = "proxy"
			}
			c.ReadinessProbe = &corev1.Probe{
				ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(s.port), Scheme: corev1.URISchemeHTTP}},
				PeriodSeconds:    10,
				TimeoutSeconds:   1,
				SuccessThreshold: 1,
				FailureThreshold: 3,
			}
		}
		ps.Containers = append(ps.Containers, c)
	}
	return ps
}

func (o *objects) template(w *wl, extra map[string]string) corev1.PodTemplateSpec {
	l := w.labels()
	for k, v := range extra {
		l[k] = v
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: l}, Spec: o.podSpec(w)}
}

func (o *objects) meta(w *wl, generation int64) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: w.name, Namespace: w.ns, Labels: w.labels(),
		UID: typesUID(o.g.uid(w.kind, w.ns, w.name)), ResourceVersion: o.nextRV(),
		Generation: generation, CreationTimestamp: ts(w.created),
	}
}

// podsAtEnd counts a workload's running and pending pods at the end.
func (o *objects) podsAtEnd(w *wl) (running, pending int) {
	for _, p := range w.pods {
		switch {
		case !p.alive(o.g):
		case p.pending:
			pending++
		default:
			running++
		}
	}
	return running, pending
}

func (o *objects) workload(w *wl) {
	g := o.g
	gens := int64(len(w.rollouts) + 1)
	running, _ := o.podsAtEnd(w)
	switch w.kind {
	case "Deployment":
		repl := int32(w.replicasAt(g, g.end))
		m := o.meta(w, gens)
		m.Annotations = map[string]string{"deployment.kubernetes.io/revision": strconv.FormatInt(gens, 10)}
		dep := &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: m,
			Spec: appsv1.DeploymentSpec{
				Replicas: &repl, Selector: w.selector(), Template: o.template(w, nil),
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromString("25%")), MaxSurge: ptr(intstr.FromString("25%"))}},
				RevisionHistoryLimit: ptr[int32](10), ProgressDeadlineSeconds: ptr[int32](600),
			},
			Status: appsv1.DeploymentStatus{
				ObservedGeneration: gens, Replicas: repl, UpdatedReplicas: repl,
				ReadyReplicas: int32(running), AvailableReplicas: int32(running), UnavailableReplicas: repl - int32(running),
				Conditions: []appsv1.DeploymentCondition{
					{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability.",
						LastUpdateTime: ts(g.end - 2*hour), LastTransitionTime: ts(w.created + minute)},
					{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable",
						Message:        fmt.Sprintf("ReplicaSet %q has successfully progressed.", w.rs[len(w.rs)-1]),
						LastUpdateTime: ts(g.end - 2*hour), LastTransitionTime: ts(w.created + minute)},
				},
			},
		}
		o.deploys = append(o.deploys, dep)
		if w.hpa != nil {
			o.hpas = append(o.hpas, o.hpa(w))
		}
		if w.pdbMinAvail > 0 {
			o.pdbs = append(o.pdbs, o.pdb(w, running))
		}
	case "StatefulSet":
		repl := int32(w.replicas)
		rev := w.name + "-" + randString(g.rng("sts-revision", w.ns, w.name), 10)
		o.sts = append(o.sts, &appsv1.StatefulSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			ObjectMeta: o.meta(w, gens),
			Spec: appsv1.StatefulSetSpec{
				Replicas: &repl, Selector: w.selector(), ServiceName: w.name, Template: o.template(w, nil),
				PodManagementPolicy: appsv1.OrderedReadyPodManagement,
				UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
					RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr[int32](0)}},
				RevisionHistoryLimit: ptr[int32](10),
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
					TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						StorageClassName: ptr("standard-rwo"),
						VolumeMode:       ptr(corev1.PersistentVolumeFilesystem),
						Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
					},
					Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
				}},
				PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
					WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType},
			},
			Status: appsv1.StatefulSetStatus{
				ObservedGeneration: gens, Replicas: repl, ReadyReplicas: int32(running), CurrentReplicas: repl, UpdatedReplicas: repl,
				AvailableReplicas: int32(running), CurrentRevision: rev, UpdateRevision: rev, CollisionCount: ptr[int32](0),
			},
		})
	case "DaemonSet":
		n := int32(len(g.nodes))
		o.ds = append(o.ds, &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: o.meta(w, gens),
			Spec: appsv1.DaemonSetSpec{
				Selector: w.selector(), Template: o.template(w, nil),
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{
					MaxUnavailable: ptr(intstr.FromInt32(1)), MaxSurge: ptr(intstr.FromInt32(0))}},
				RevisionHistoryLimit: ptr[int32](10),
			},
			Status: appsv1.DaemonSetStatus{
				CurrentNumberScheduled: n, DesiredNumberScheduled: n, NumberReady: n, NumberAvailable: n,
				UpdatedNumberScheduled: n, ObservedGeneration: gens,
			},
		})
	case "CronJob":
		o.cronJob(w)
	}
}

func (o *objects) hpa(w *wl) *autoscalingv2.HorizontalPodAutoscaler {
	g, h := o.g, w.hpa
	cur := int32(w.replicasAt(g, g.end))
	util := int32(math.Round(h.load(g.end) / float64(cur) / h.request * 100))
	target := autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(int32(math.Round(h.target * 100)))}
	current := autoscalingv2.MetricValueStatus{AverageUtilization: &util,
		AverageValue: ptr(*resource.NewMilliQuantity(int64(math.Round(h.load(g.end)/float64(cur)*1000)), resource.DecimalSI))}
	var spec autoscalingv2.MetricSpec
	var status autoscalingv2.MetricStatus
	if h.container != "" {
		spec = autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType,
			ContainerResource: &autoscalingv2.ContainerResourceMetricSource{Name: corev1.ResourceCPU, Container: h.container, Target: target}}
		status = autoscalingv2.MetricStatus{Type: autoscalingv2.ContainerResourceMetricSourceType,
			ContainerResource: &autoscalingv2.ContainerResourceMetricStatus{Name: corev1.ResourceCPU, Container: h.container, Current: current}}
	} else {
		spec = autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: target}}
		status = autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU, Current: current}}
	}
	limited := autoscalingv2.HorizontalPodAutoscalerCondition{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionFalse,
		Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range", LastTransitionTime: ts(g.end - 3*hour)}
	if int(cur) == h.max {
		limited = autoscalingv2.HorizontalPodAutoscalerCondition{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionTrue,
			Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count", LastTransitionTime: ts(g.end - hour)}
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: w.name, Namespace: w.ns, Labels: w.labels(), UID: typesUID(g.uid("hpa", w.ns, w.name)), ResourceVersion: o.nextRV(), CreationTimestamp: ts(w.created)},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: w.kind, Name: w.name},
			MinReplicas:    ptr(int32(h.min)), MaxReplicas: int32(h.max),
			Metrics: []autoscalingv2.MetricSpec{spec},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			CurrentReplicas: cur, DesiredReplicas: cur, LastScaleTime: ptr(ts(g.end - 25*minute)),
			CurrentMetrics: []autoscalingv2.MetricStatus{status},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
				{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "ReadyForNewScale", Message: "recommended size matches current size", LastTransitionTime: ts(w.created)},
				{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue, Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", LastTransitionTime: ts(w.created)},
				limited,
			},
		},
	}
}

func (o *objects) pdb(w *wl, healthy int) *policyv1.PodDisruptionBudget {
	g := o.g
	name := w.name
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: w.ns, Labels: w.labels(), UID: typesUID(g.uid("pdb", w.ns, name)), ResourceVersion: o.nextRV(), Generation: 1, CreationTimestamp: ts(w.created)},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromInt32(int32(w.pdbMinAvail))), Selector: w.selector()},
		Status: policyv1.PodDisruptionBudgetStatus{
			ObservedGeneration: 1, CurrentHealthy: int32(healthy), DesiredHealthy: int32(w.pdbMinAvail),
			DisruptionsAllowed: int32(max(0, healthy-w.pdbMinAvail)), ExpectedPods: int32(w.replicasAt(g, g.end)),
			Conditions: []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionTrue, Reason: policyv1.SufficientPodsReason,
				ObservedGeneration: 1, LastTransitionTime: ts(g.end - 4*day)}},
		},
	}
}

func jobLabels(w *wl, job, uid string) map[string]string {
	l := w.labels()
	l["batch.kubernetes.io/controller-uid"] = uid
	l["batch.kubernetes.io/job-name"] = job
	l["controller-uid"] = uid
	l["job-name"] = job
	return l
}

func (o *objects) cronJob(w *wl) {
	g := o.g
	cjUID := g.uid(w.kind, w.ns, w.name)
	jobTemplate := batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
		BackoffLimit: ptr[int32](2), ActiveDeadlineSeconds: ptr[int64](1800), Template: o.template(w, nil)}}
	cj := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: o.meta(w, 1),
		Spec: batchv1.CronJobSpec{Schedule: w.schedule, ConcurrencyPolicy: batchv1.ForbidConcurrent, Suspend: ptr(false),
			SuccessfulJobsHistoryLimit: ptr(int32(g.cronRetain)), FailedJobsHistoryLimit: ptr[int32](1), JobTemplate: jobTemplate},
	}
	for _, p := range g.snapshotPods(w) {
		uid := g.uid("job", w.ns, p.owner)
		tpl := o.template(w, jobLabels(w, p.owner, uid))
		job := &batchv1.Job{
			TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
			ObjectMeta: metav1.ObjectMeta{Name: p.owner, Namespace: w.ns, Labels: jobLabels(w, p.owner, uid), UID: typesUID(uid),
				ResourceVersion: o.nextRV(), Generation: 1, CreationTimestamp: ts(p.start),
				Annotations: map[string]string{"batch.kubernetes.io/cronjob-scheduled-timestamp": time.Unix(p.start, 0).UTC().Format(time.RFC3339)},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: w.name, UID: typesUID(cjUID),
					Controller: ptr(true), BlockOwnerDeletion: ptr(true)}}},
			Spec: batchv1.JobSpec{Parallelism: ptr[int32](1), Completions: ptr[int32](1), BackoffLimit: ptr[int32](2),
				ActiveDeadlineSeconds: ptr[int64](1800), CompletionMode: ptr(batchv1.NonIndexedCompletion), Suspend: ptr(false),
				ManualSelector: nil, PodReplacementPolicy: ptr(batchv1.TerminatingOrFailed),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": uid}},
				Template: tpl},
			Status: batchv1.JobStatus{StartTime: ptr(ts(p.start)), Ready: ptr[int32](0), Terminating: ptr[int32](0),
				UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{}},
		}
		if p.finished {
			job.Status.Succeeded = 1
			job.Status.CompletionTime = ptr(ts(p.end + 3))
			job.Status.Conditions = []batchv1.JobCondition{
				{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached, Message: "Reached expected number of succeeded pods",
					LastProbeTime: ts(p.end + 2), LastTransitionTime: ts(p.end + 2)},
				{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached, Message: "Reached expected number of succeeded pods",
					LastProbeTime: ts(p.end + 3), LastTransitionTime: ts(p.end + 3)},
			}
			cj.Status.LastSuccessfulTime = ptr(ts(p.end + 3))
		} else {
			job.Status.Active = 1
			job.Status.Ready = ptr[int32](1)
			cj.Status.Active = append(cj.Status.Active, corev1.ObjectReference{Kind: "Job", Namespace: w.ns, Name: p.owner,
				UID: typesUID(uid), APIVersion: "batch/v1", ResourceVersion: job.ResourceVersion})
		}
		cj.Status.LastScheduleTime = ptr(ts(p.start))
		o.jobs = append(o.jobs, job)
	}
	o.cronjob = append(o.cronjob, cj)
}

func qosClass(cs []ctrSpec) corev1.PodQOSClass {
	none, guaranteed := true, true
	for _, c := range cs {
		if c.req.cpu > 0 || c.req.mem > 0 || c.lim.cpu > 0 || c.lim.mem > 0 {
			none = false
		}
		if c.lim.cpu == 0 || c.lim.mem == 0 || (c.req.cpu != 0 && c.req.cpu != c.lim.cpu) || (c.req.mem != 0 && c.req.mem != c.lim.mem) {
			guaranteed = false
		}
	}
	switch {
	case none:
		return corev1.PodQOSBestEffort
	case guaranteed:
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}

func (o *objects) pod(w *wl, p *podInst) *corev1.Pod {
	g := o.g
	uid := g.uid("pod", w.ns, p.name)
	labels := w.labels()
	owner := metav1.OwnerReference{Name: p.owner, Kind: p.ownerKind, Controller: ptr(true), BlockOwnerDeletion: ptr(true)}
	generateName := p.owner + "-"
	switch p.ownerKind {
	case "ReplicaSet":
		owner.APIVersion = "apps/v1"
		owner.UID = typesUID(g.uid("rs", w.ns, p.owner))
		labels["pod-template-hash"] = p.owner[len(w.name)+1:]
	case "StatefulSet":
		owner.APIVersion = "apps/v1"
		owner.UID = typesUID(g.uid(w.kind, w.ns, w.name))
		labels["apps.kubernetes.io/pod-index"] = strconv.Itoa(p.slot)
		labels["controller-revision-hash"] = w.name + "-" + randString(g.rng("sts-revision", w.ns, w.name), 10)
		labels["statefulset.kubernetes.io/pod-name"] = p.name
		generateName = w.name + "-"
	case "DaemonSet":
		owner.APIVersion = "apps/v1"
		owner.UID = typesUID(g.uid(w.kind, w.ns, w.name))
		labels["controller-revision-hash"] = randString(g.rng("ds-revision", w.ns, w.name, strconv.Itoa(p.gen)), 10)
		labels["pod-template-generation"] = strconv.Itoa(p.gen + 1)
	case "Job":
		juid := g.uid("job", w.ns, p.owner)
		owner.APIVersion = "batch/v1"
		owner.UID = typesUID(juid)
		labels = jobLabels(w, p.owner, juid)
	}
	spec := o.podSpec(w)
	if p.ownerKind == "DaemonSet" {
		spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{
				Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{p.node.Name}}}}}}}}
	}
	spec.Tolerations = []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr[int64](300)},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr[int64](300)},
	}
	spec.Priority = ptr[int32](0)
	spec.EnableServiceLinks = ptr(true)
	spec.PreemptionPolicy = ptr(corev1.PreemptLowerPriority)
	pod := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: p.name, GenerateName: generateName, Namespace: w.ns, Labels: labels, UID: typesUID(uid),
			ResourceVersion: o.nextRV(), CreationTimestamp: ts(p.start), OwnerReferences: []metav1.OwnerReference{owner}},
		Spec:   spec,
		Status: corev1.PodStatus{QOSClass: qosClass(w.ctrs)},
	}
	if p.pending {
		msg := fmt.Sprintf("0/%d nodes are available: %d Insufficient memory, %d node(s) didn't match Pod's node affinity/selector. preemption: 0/%d nodes are available: %d No preemption victims found for incoming pod, %d Preemption is not helpful for scheduling.",
			len(g.nodes), len(g.pools[w.pool]), len(g.nodes)-len(g.pools[w.pool]), len(g.nodes), len(g.pools[w.pool]), len(g.nodes)-len(g.pools[w.pool]))
		if g.opts.Mode == Autopilot {
			msg = fmt.Sprintf("0/%d nodes are available: %d Insufficient memory. preemption: 0/%d nodes are available: %d No preemption victims found for incoming pod.", len(g.nodes), len(g.nodes), len(g.nodes), len(g.nodes))
		}
		pod.Status.Phase = corev1.PodPending
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
			Message: msg, LastTransitionTime: ts(p.start)}}
		return pod
	}
	pod.Spec.NodeName = p.node.Name
	ipr := g.rng("pod-ip", w.ns, p.name)
	nodeIndex := 0
	for i, n := range g.nodes {
		if n == p.node {
			nodeIndex = i
		}
	}
	pod.Status.HostIP = fmt.Sprintf("10.128.0.%d", 10+nodeIndex)
	pod.Status.HostIPs = []corev1.HostIP{{IP: pod.Status.HostIP}}
	pod.Status.PodIP = fmt.Sprintf("10.8.%d.%d", nodeIndex, 2+ipr.IntN(250))
	pod.Status.PodIPs = []corev1.PodIP{{IP: pod.Status.PodIP}}
	pod.Status.StartTime = ptr(ts(p.start))
	cond := func(t corev1.PodConditionType, ok bool, at int64) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: ts(at)}
		if !ok {
			c.Status = corev1.ConditionFalse
		}
		return c
	}
	ready := !p.finished
	for _, c := range p.ctrs {
		if !c.running {
			ready = false
		}
	}
	pod.Status.Phase = corev1.PodRunning
	if p.finished {
		pod.Status.Phase = corev1.PodSucceeded
	}
	readyAt := p.start + 20
	if !ready {
		readyAt = g.end - 2*minute
	}
	pod.Status.Conditions = []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, !p.finished, p.start+4),
		cond(corev1.PodInitialized, true, p.start+1),
		cond(corev1.PodReady, ready, readyAt),
		cond(corev1.ContainersReady, ready, readyAt),
		cond(corev1.PodScheduled, true, p.start),
	}
	if p.finished {
		pod.Status.Conditions[2].Reason, pod.Status.Conditions[3].Reason = "PodCompleted", "PodCompleted"
	}
	for i, c := range p.ctrs {
		s := c.spec
		cs := corev1.ContainerStatus{
			Name: s.name, Image: s.image, ImageID: s.image + "@sha256:" + randHex(g.rng("image", s.image), 64),
			ContainerID:  "containerd://" + randHex(g.rng("container", w.ns, p.name, s.name, strconv.FormatInt(c.lastStart, 10)), 64),
			RestartCount: int32(len(c.restarts)), Ready: c.running && !p.finished, Started: ptr(c.running && !p.finished),
		}
		_ = i
		switch {
		case p.finished:
			cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: ts(p.start + 2), FinishedAt: ts(p.end), ContainerID: cs.ContainerID}
		case c.running:
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: ts(c.lastStart + 2)}
		default:
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: fmt.Sprintf("back-off 5m0s restarting failed container=%s pod=%s_%s(%s)", s.name, p.name, w.ns, uid)}
		}
		if n := len(c.restarts); n > 0 {
			last := c.restarts[n-1]
			code := int32(137)
			if c.reasons[n-1] == "Error" {
				code = 1
			}
			prevStart := p.start
			if n > 1 {
				prevStart = c.restarts[n-2]
			}
			cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: code, Reason: c.reasons[n-1],
				StartedAt: ts(prevStart + 2), FinishedAt: ts(last), ContainerID: "containerd://" + randHex(g.rng("container", w.ns, p.name, s.name, strconv.FormatInt(prevStart, 10)), 64)}
		}
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, cs)
	}
	return pod
}

func (o *objects) node(n *node) *corev1.Node {
	g := o.g
	family := map[string]string{"n2-standard-4": "n2", "e2-standard-4": "e2", "ek-standard-8": "ek"}[n.MachineType]
	labels := map[string]string{
		"beta.kubernetes.io/arch":                  "amd64",
		"beta.kubernetes.io/instance-type":         n.MachineType,
		"beta.kubernetes.io/os":                    "linux",
		"cloud.google.com/gke-boot-disk":           "pd-balanced",
		"cloud.google.com/gke-container-runtime":   "containerd",
		"cloud.google.com/gke-cpu-scaling-level":   strconv.Itoa(int(n.CPU)),
		"cloud.google.com/gke-logging-variant":     "DEFAULT",
		"cloud.google.com/gke-max-pods-per-node":   "110",
		"cloud.google.com/gke-nodepool":            n.Pool,
		"cloud.google.com/gke-os-distribution":     "cos",
		"cloud.google.com/gke-provisioning":        "standard",
		"cloud.google.com/gke-stack-type":          "IPV4",
		"cloud.google.com/machine-family":          family,
		"cloud.google.com/private-node":            "false",
		"failure-domain.beta.kubernetes.io/region": Region,
		"failure-domain.beta.kubernetes.io/zone":   n.Zone,
		"kubernetes.io/arch":                       "amd64",
		"kubernetes.io/hostname":                   n.Name,
		"kubernetes.io/os":                         "linux",
		"node.kubernetes.io/instance-type":         n.MachineType,
		"topology.gke.io/zone":                     n.Zone,
		"topology.kubernetes.io/region":            Region,
		"topology.kubernetes.io/zone":              n.Zone,
	}
	idx := 0
	for i, x := range g.nodes {
		if x == n {
			idx = i
		}
	}
	list := func(cpu, mem float64) corev1.ResourceList {
		return corev1.ResourceList{
			corev1.ResourceCPU:              cpuQ(cpu),
			corev1.ResourceMemory:           memQ(mem),
			corev1.ResourcePods:             resource.MustParse("110"),
			corev1.ResourceEphemeralStorage: resource.MustParse("98831908Ki"),
			"hugepages-1Gi":                 resource.MustParse("0"),
			"hugepages-2Mi":                 resource.MustParse("0"),
		}
	}
	alloc := list(n.AllocatableCPU, n.AllocatableMemory)
	alloc[corev1.ResourceEphemeralStorage] = resource.MustParse("47060071478")
	hb := ts(g.end - 40)
	cond := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg, LastHeartbeatTime: hb, LastTransitionTime: ts(n.created + 90)}
	}
	r := g.rng("node-ids", n.Name)
	return &corev1.Node{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels, UID: typesUID(g.uid("node", n.Name)), ResourceVersion: o.nextRV(),
			CreationTimestamp: ts(n.created),
			Annotations: map[string]string{
				"container.googleapis.com/instance_id":                   strconv.FormatUint(r.Uint64()>>1, 10),
				"node.alpha.kubernetes.io/ttl":                           "0",
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
			}},
		Spec: corev1.NodeSpec{PodCIDR: fmt.Sprintf("10.8.%d.0/24", idx), PodCIDRs: []string{fmt.Sprintf("10.8.%d.0/24", idx)},
			ProviderID: fmt.Sprintf("gce://%s/%s/%s", g.opts.Cluster, n.Zone, n.Name)},
		Status: corev1.NodeStatus{
			Capacity: list(n.CPU, n.Memory), Allocatable: alloc,
			Conditions: []corev1.NodeCondition{
				cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
				cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
				cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
				cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
			},
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.128.0.%d", 10+idx)},
				{Type: corev1.NodeInternalDNS, Address: fmt.Sprintf("%s.%s.c.%s.internal", n.Name, n.Zone, g.opts.Cluster)},
				{Type: corev1.NodeHostName, Address: fmt.Sprintf("%s.%s.c.%s.internal", n.Name, n.Zone, g.opts.Cluster)},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
			NodeInfo: corev1.NodeSystemInfo{
				MachineID: randHex(r, 32), SystemUUID: randHex(r, 8) + "-" + randHex(r, 4) + "-" + randHex(r, 4) + "-" + randHex(r, 4) + "-" + randHex(r, 12),
				BootID:        randHex(r, 8) + "-" + randHex(r, 4) + "-" + randHex(r, 4) + "-" + randHex(r, 4) + "-" + randHex(r, 12),
				KernelVersion: "6.1.112+", OSImage: "Container-Optimized OS from Google", ContainerRuntimeVersion: "containerd://1.7.24",
				KubeletVersion: KubeletVersion, KubeProxyVersion: KubeletVersion, OperatingSystem: "linux", Architecture: "amd64",
			},
		},
	}
}

func typesUID(s string) types.UID { return types.UID(s) }

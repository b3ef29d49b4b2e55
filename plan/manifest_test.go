package plan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/headroom-sre/headroom/sim"
)

// scaledObject is the part of KEDA's keda.sh/v1alpha1 ScaledObject the
// plan writes, as documented (keda.sh/docs, ScaledObject specification and
// the cron scaler). Strict decoding into it rejects any other field.
type scaledObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"metadata"`
	Spec struct {
		ScaleTargetRef struct {
			APIVersion string `json:"apiVersion,omitempty"`
			Kind       string `json:"kind,omitempty"`
			Name       string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount,omitempty"`
		MaxReplicaCount *int32 `json:"maxReplicaCount,omitempty"`
		Advanced        *struct {
			HorizontalPodAutoscalerConfig *struct {
				Name     string                                         `json:"name,omitempty"`
				Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
			} `json:"horizontalPodAutoscalerConfig,omitempty"`
		} `json:"advanced,omitempty"`
		Triggers []struct {
			Type       string            `json:"type"`
			Name       string            `json:"name,omitempty"`
			MetricType string            `json:"metricType,omitempty"`
			Metadata   map[string]string `json:"metadata"`
		} `json:"triggers"`
	} `json:"spec"`
}

// decoded is every object of a set of manifests, decoded strictly.
type decoded struct {
	hpas         map[string]*autoscalingv2.HorizontalPodAutoscaler
	deployments  map[string]*appsv1.Deployment
	cronJobs     map[string]*batchv1.CronJob
	scaled       map[string]*scaledObject
	priority     []*schedulingv1.PriorityClass
	accounts     int
	roles        map[string]*rbacv1.Role
	roleBindings int
}

// targets maps each kind to a function that makes room for an object of
// that name and returns where to decode it.
func (d *decoded) targets() map[string]func(name string) any {
	return map[string]func(string) any{
		"HorizontalPodAutoscaler": func(n string) any { d.hpas[n] = &autoscalingv2.HorizontalPodAutoscaler{}; return d.hpas[n] },
		"Deployment":              func(n string) any { d.deployments[n] = &appsv1.Deployment{}; return d.deployments[n] },
		"CronJob":                 func(n string) any { d.cronJobs[n] = &batchv1.CronJob{}; return d.cronJobs[n] },
		"ScaledObject":            func(n string) any { d.scaled[n] = &scaledObject{}; return d.scaled[n] },
		"Role":                    func(n string) any { d.roles[n] = &rbacv1.Role{}; return d.roles[n] },
		"PriorityClass": func(string) any {
			d.priority = append(d.priority, &schedulingv1.PriorityClass{})
			return d.priority[len(d.priority)-1]
		},
		"ServiceAccount": func(string) any { d.accounts++; return &corev1.ServiceAccount{} },
		"RoleBinding":    func(string) any { d.roleBindings++; return &rbacv1.RoleBinding{} },
	}
}

func decodeManifests(t *testing.T, ms []Manifest) decoded {
	t.Helper()
	d := decoded{hpas: map[string]*autoscalingv2.HorizontalPodAutoscaler{}, deployments: map[string]*appsv1.Deployment{},
		cronJobs: map[string]*batchv1.CronJob{}, scaled: map[string]*scaledObject{}, roles: map[string]*rbacv1.Role{}}
	for _, m := range ms {
		docs := strings.Split(m.YAML, "\n---\n")
		if len(docs) != len(m.Kinds) {
			t.Fatalf("%s: %d documents, %d kinds", m.File, len(docs), len(m.Kinds))
		}
		for j, doc := range docs {
			var head struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := sigsyaml.Unmarshal([]byte(doc), &head); err != nil || head.Kind != m.Kinds[j] {
				t.Fatalf("%s[%d]: kind %q (%v); want %q", m.File, j, head.Kind, err, m.Kinds[j])
			}
			into, ok := d.targets()[head.Kind]
			if !ok {
				t.Fatalf("%s: unexpected kind %q", m.File, head.Kind)
			}
			if err := sigsyaml.UnmarshalStrict([]byte(doc), into(head.Metadata.Name)); err != nil {
				t.Fatalf("%s: %v\n%s", m.File, err, doc)
			}
		}
	}
	return d
}

// shopSource is the shop's System file, as the planner's YAML source.
func shopSource(t *testing.T) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "internal", "spec", "testdata", "system", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func TestManifestsValidateAgainstTheKubernetesTypes(t *testing.T) {
	p := shopProblem(t)
	res := mustPlan(t, p, Options{NoPareto: true})
	rec := res.Recommended
	for _, kind := range []PrescaleKind{PrescaleKEDA, PrescaleCronJob} {
		t.Run(string(kind), func(t *testing.T) {
			ms, err := Manifests(rec, ManifestOptions{Prescale: kind, Namespace: "shop"})
			if err != nil {
				t.Fatal(err)
			}
			d := decodeManifests(t, ms)
			for _, m := range ms {
				if strings.HasSuffix(m.File, ".hpa.yaml") && !strings.Contains(m.YAML, "# Sized for a surprise: step (no pre-scaling: minReplicas") {
					t.Errorf("%s does not say it is sized for the surprise step:\n%s", m.File, m.YAML)
				}
				if strings.HasSuffix(m.File, ".prescale.yaml") && !strings.Contains(m.YAML, "assuming you know the date of each") {
					t.Errorf("%s does not say it assumes the dates are known:\n%s", m.File, m.YAML)
				}
			}
			for _, cc := range rec.Config.Components {
				dep := d.deployments[cc.Name]
				if dep == nil {
					t.Fatalf("no Deployment patch for %s", cc.Name)
				}
				c := dep.Spec.Template.Spec.Containers[0]
				if got := c.Resources.Requests.Cpu().MilliValue(); got != int64(cc.CPURequest*1000+0.5) {
					t.Errorf("%s: cpu request %dm; want %v", cc.Name, got, cc.CPURequest)
				}
				if got := c.Resources.Requests.Memory().Value(); float64(got) != cc.MemoryRequest {
					t.Errorf("%s: memory request %d; want %v", cc.Name, got, cc.MemoryRequest)
				}
				if dep.Namespace != "shop" {
					t.Errorf("%s: namespace %q; want shop", cc.Name, dep.Namespace)
				}
				prescaled := len(cc.Prescale) > 0
				if kind == PrescaleKEDA && prescaled {
					so := d.scaled[cc.Name]
					if so == nil {
						t.Fatalf("no ScaledObject for %s", cc.Name)
					}
					if d.hpas[cc.Name] != nil {
						t.Errorf("%s has both an HPA and a ScaledObject", cc.Name)
					}
					checkScaledObject(t, so, cc)
					continue
				}
				h := d.hpas[cc.Name]
				if h == nil {
					t.Fatalf("no HPA for %s", cc.Name)
				}
				if *h.Spec.MinReplicas != int32(cc.HPA.MinReplicas) || h.Spec.MaxReplicas != int32(cc.HPA.MaxReplicas) {
					t.Errorf("%s: HPA %d..%d; want %d..%d", cc.Name, *h.Spec.MinReplicas, h.Spec.MaxReplicas, cc.HPA.MinReplicas, cc.HPA.MaxReplicas)
				}
				if u := h.Spec.Metrics[0].Resource.Target.AverageUtilization; u == nil || float64(*u) != cc.HPA.Target.Value {
					t.Errorf("%s: HPA target %v; want %v%%", cc.Name, u, cc.HPA.Target.Value)
				}
				for _, step := range cc.Prescale {
					up := d.cronJobs[dnsName(cc.Name+"-"+step.Scenario+"-up")]
					down := d.cronJobs[dnsName(cc.Name+"-"+step.Scenario+"-down")]
					if up == nil || down == nil {
						t.Fatalf("%s: no CronJobs for %s", cc.Name, step.Scenario)
					}
					cmd := strings.Join(up.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Command, " ")
					if want := `{"spec":{"minReplicas":` + itoa(step.Replicas) + `}}`; !strings.Contains(cmd, want) || !strings.Contains(cmd, "hpa "+cc.Name) {
						t.Errorf("%s: up command %q; want it to patch the HPA with %s", cc.Name, cmd, want)
					}
					if len(strings.Fields(up.Spec.Schedule)) != 5 || up.Spec.TimeZone == nil || *up.Spec.TimeZone != "UTC" {
						t.Errorf("%s: schedule %q in %v; want five cron fields in UTC", cc.Name, up.Spec.Schedule, up.Spec.TimeZone)
					}
				}
			}
			if kind == PrescaleCronJob && (d.accounts == 0 || d.roleBindings != d.accounts || len(d.roles) != d.accounts) {
				t.Errorf("%d service accounts, %d roles, %d bindings; want one of each per pre-scaled component", d.accounts, len(d.roles), d.roleBindings)
			}
			if b := rec.Config.Buffer; b.Count > 0 {
				ph := d.deployments["headroom-placeholder"]
				if ph == nil || len(d.priority) != 1 || d.priority[0].Value >= 0 {
					t.Fatalf("placeholders: deployment %v, priority classes %d; want both, below 0", ph != nil, len(d.priority))
				}
				if *ph.Spec.Replicas != int32(b.Count) || ph.Spec.Template.Spec.PriorityClassName != d.priority[0].Name {
					t.Errorf("placeholders: %d replicas of class %q; want %d of %q", *ph.Spec.Replicas, ph.Spec.Template.Spec.PriorityClassName, b.Count, d.priority[0].Name)
				}
			}
		})
	}
}

func checkScaledObject(t *testing.T, so *scaledObject, cc ComponentConfig) {
	t.Helper()
	if so.APIVersion != "keda.sh/v1alpha1" || so.Spec.ScaleTargetRef.Name != cc.Name {
		t.Errorf("%s: ScaledObject %s targeting %q", cc.Name, so.APIVersion, so.Spec.ScaleTargetRef.Name)
	}
	if so.Metadata.Annotations["scaledobject.keda.sh/transfer-hpa-ownership"] != "true" || so.Spec.Advanced.HorizontalPodAutoscalerConfig.Name != cc.Name {
		t.Errorf("%s: the ScaledObject does not take over the HPA %s", cc.Name, cc.Name)
	}
	if *so.Spec.MinReplicaCount != int32(cc.HPA.MinReplicas) {
		t.Errorf("%s: minReplicaCount %d; want %d", cc.Name, *so.Spec.MinReplicaCount, cc.HPA.MinReplicas)
	}
	crons := map[string]map[string]string{}
	for _, tr := range so.Spec.Triggers {
		switch tr.Type {
		case "cpu":
			if tr.MetricType != "Utilization" || tr.Metadata["value"] != itoa(int(cc.HPA.Target.Value)) {
				t.Errorf("%s: cpu trigger %+v; want Utilization %v", cc.Name, tr, cc.HPA.Target.Value)
			}
		case "cron":
			crons[tr.Name] = tr.Metadata
		default:
			t.Errorf("%s: unexpected trigger %q", cc.Name, tr.Type)
		}
	}
	for _, step := range cc.Prescale {
		m := crons[step.Scenario]
		if m == nil {
			t.Fatalf("%s: no cron trigger for %s", cc.Name, step.Scenario)
		}
		for _, k := range []string{"timezone", "start", "end", "desiredReplicas"} {
			if m[k] == "" {
				t.Errorf("%s: cron trigger %s lacks %s", cc.Name, step.Scenario, k)
			}
		}
		if m["desiredReplicas"] != itoa(step.Replicas) || len(strings.Fields(m["start"])) != 5 || len(strings.Fields(m["end"])) != 5 {
			t.Errorf("%s: cron trigger %v; want %d replicas and five-field schedules", cc.Name, m, step.Replicas)
		}
	}
}

func itoa(i int) string { return resource.NewQuantity(int64(i), resource.DecimalSI).String() }

// The manifests of the hand-derived step plan, for an event at a given
// time in Tokyo. Rewrite with go test ./plan -run TestGoldenManifests -update.
func TestGoldenManifests(t *testing.T) {
	res := mustPlan(t, stepProblem(t, false), Options{NoPareto: true})
	tokyo := time.FixedZone("Asia/Tokyo", 9*3600)
	at := map[string]time.Time{"step": time.Date(2026, 12, 24, 20, 0, 0, 0, tokyo)}
	for _, kind := range []PrescaleKind{PrescaleKEDA, PrescaleCronJob} {
		t.Run(string(kind), func(t *testing.T) {
			ms, err := Manifests(res.Recommended, ManifestOptions{Prescale: kind, EventAt: at, Location: tokyo})
			if err != nil {
				t.Fatal(err)
			}
			decodeManifests(t, ms)
			var b strings.Builder
			for _, m := range ms {
				b.WriteString("### " + m.File + "\n" + m.YAML)
			}
			golden(t, filepath.Join("testdata", "step."+string(kind)+".golden"), b.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestTheSystemFileKeepsTheSourceAndChangesThePlan(t *testing.T) {
	// A plan for the shop itself, to patch its own file.
	p := shopProblem(t)
	src := shopSource(t)
	p.System = shopLike(t)
	res := mustPlan(t, p, Options{NoPareto: true})
	out, err := SystemFile(src, res.Recommended, func(s string) string { return "../" + s })
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"# Recommended by headroom plan.", "# A two-component shop", "profile: ../app.capacity.json", "file: ../evening.csv", "kind: System"} {
		if !strings.Contains(text, want) {
			t.Errorf("the System file lacks %q:\n%s", want, text)
		}
	}
	var back yaml.Node
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatalf("the System file does not parse: %v", err)
	}
	comps := child(child(back.Content[0], "spec"), "components")
	for _, cc := range res.Recommended.Config.Components {
		n := findComponent(comps, cc.Name)
		h := child(n, "hpa")
		if child(h, "minReplicas").Value != itoa(cc.HPA.MinReplicas) || child(h, "maxReplicas").Value != itoa(cc.HPA.MaxReplicas) {
			t.Errorf("%s: hpa %s..%s; want %d..%d", cc.Name, child(h, "minReplicas").Value, child(h, "maxReplicas").Value, cc.HPA.MinReplicas, cc.HPA.MaxReplicas)
		}
		if (child(n, "prescale") != nil) != (len(cc.Prescale) > 0) {
			t.Errorf("%s: prescale in the file %v; want %v", cc.Name, child(n, "prescale") != nil, len(cc.Prescale) > 0)
		}
		if child(n, "replicas") != nil {
			t.Errorf("%s: replicas kept; want the HPA's steady state", cc.Name)
		}
	}
	// Each planned scenario says what the plan assumed, so the file
	// simulates as planned: step is a surprise, the others announced.
	scens := child(child(back.Content[0], "spec"), "scenarios")
	for _, o := range res.Recommended.Scenarios {
		var ev *yaml.Node
		for _, sc := range scens.Content {
			if child(sc, "name").Value == o.Name {
				ev = child(sc, "event")
			}
		}
		if o.Name == "evening" {
			if ev != nil {
				t.Errorf("evening is not in the file, yet has an event %q", ev.Value)
			}
			continue
		}
		want := map[bool]string{true: "surprise", false: "announced"}[o.Name == "step"]
		if ev == nil || ev.Value != want || o.Event != want {
			t.Errorf("%s: event %v in the file, %q in the plan; want %q", o.Name, ev, o.Event, want)
		}
	}
	for _, want := range []string{"event: surprise # planned for a surprise: no pre-scaling before it",
		"event: announced # planned assuming you know the date"} {
		if !strings.Contains(text, want) {
			t.Errorf("the System file lacks %q:\n%s", want, text)
		}
	}
	if _, err := SystemFile(nil, res.Recommended, nil); err == nil {
		t.Error("SystemFile(nil) succeeded; want an error")
	}
}

// shopLike is twoComponents named and shaped like shop.yaml's components,
// with its Pods metric on money.
func shopLike(t *testing.T) sim.System {
	sys := twoComponents()
	sys.Components[1].HPA.Metrics = []sim.Metric{{Source: sim.PodsMetric, Name: "http_requests_per_second", Target: sim.AverageValueTarget, Value: 50000}}
	return sys
}

func FuzzParsePrescaleKind(f *testing.F) {
	for _, s := range []string{"keda", "cronjob", " KEDA ", "", "cron"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePrescaleKind(s)
		if err == nil && k != PrescaleKEDA && k != PrescaleCronJob {
			t.Errorf("ParsePrescaleKind(%q) = %q; want keda or cronjob", s, k)
		}
	})
}

func TestAnObjectTargetIsKeptAndPreScaledByCronJobs(t *testing.T) {
	p := stepProblem(t, false)
	p.System.Components[0].HPA.Metrics = []sim.Metric{{Source: sim.ObjectMetric, Name: "requests_per_second", Target: sim.ValueTarget, Value: 200000}}
	res := mustPlan(t, p, Options{NoPareto: true})
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("the plan does not marshal: %v", err)
	}
	rec := res.Recommended
	web := rec.Config.Components[0]
	if web.HPA.Target.Type != "Value" || web.HPA.Target.Value != 200 || web.HPA.Target.Load != nil {
		t.Errorf("target = %+v; want today's Value 200 kept, without a load", web.HPA.Target)
	}
	ms, err := Manifests(rec, ManifestOptions{Prescale: PrescaleKEDA})
	if err != nil {
		t.Fatal(err)
	}
	d := decodeManifests(t, ms)
	if len(d.scaled) != 0 || len(d.cronJobs) != 2 || d.hpas["web"] == nil {
		t.Fatalf("%d ScaledObjects, %d CronJobs, HPA %v; want KEDA to fall back to two CronJobs and the HPA", len(d.scaled), len(d.cronJobs), d.hpas["web"] != nil)
	}
	obj := d.hpas["web"].Spec.Metrics[0].Object
	if obj == nil || obj.Target.Value == nil || obj.Target.Value.Value() != 200 || obj.DescribedObject.Name != "web" {
		t.Errorf("HPA object metric = %+v; want a Value of 200 on a described object", obj)
	}
	var noted bool
	for _, m := range ms {
		noted = noted || strings.Contains(m.Note, "falls back to CronJobs")
	}
	if !noted {
		t.Error("no manifest says KEDA fell back to CronJobs")
	}
}

// A capacity written inline keeps its lower-bound mark, so a rescaled
// lower bound is not read back as a measured capacity.
func TestInlineCapacityKeepsTheLowerBound(t *testing.T) {
	for _, lower := range []bool{false, true} {
		n := capacityNode(sim.Capacity{PerReplicaRPS: 185, LowerBound: lower})
		got := child(n, "lowerBound")
		switch {
		case lower && (got == nil || got.Value != "true"):
			t.Errorf("lower bound written as %v; want lowerBound: true", got)
		case !lower && got != nil:
			t.Errorf("a measured capacity written with lowerBound %s", got.Value)
		}
	}
}

// The System file gives each planned scenario its event as planned, in
// block and flow style alike, and leaves the others alone.
func TestPatchEventsWritesWhatThePlanAssumed(t *testing.T) {
	rec := &Evaluation{Scenarios: []ScenarioOutcome{
		{Name: "tv", Event: "announced", Assumption: sim.AssumingTheDate, Prescaled: true},
		{Name: "step", Event: "surprise", Assumption: sim.ForASurprise},
	}}
	cases := []struct {
		name, src string
		want      []string
	}{
		{"block", "scenarios:\n  - name: tv\n    traffic: x\n  - name: step\n    traffic: y\n    event: announced\n  - name: other\n    traffic: z\n",
			[]string{"event: announced # planned assuming you know the date: pre-scaled before it", "event: surprise # planned for a surprise: no pre-scaling before it"}},
		{"flow", "scenarios:\n  - {name: tv, traffic: x}\n  - {name: step, traffic: y}\n  - {name: other, traffic: z}\n",
			[]string{"{name: tv, traffic: x, event: announced} # planned assuming you know the date", "{name: step, traffic: y, event: surprise} # planned for a surprise"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.src), &doc); err != nil {
				t.Fatal(err)
			}
			spec := doc.Content[0]
			patchEvents(spec, rec)
			out, err := encode(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the scenarios lack %q:\n%s", w, out)
				}
			}
			for _, sc := range child(spec, "scenarios").Content {
				if child(sc, "name").Value == "other" && child(sc, "event") != nil {
					t.Errorf("a scenario not planned got an event:\n%s", out)
				}
			}
		})
	}
}

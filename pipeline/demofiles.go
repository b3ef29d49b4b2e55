package pipeline

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/internal/kube"
	"github.com/headroom-sre/headroom/rightsize"
	"github.com/headroom-sre/headroom/slo"
	"github.com/headroom-sre/headroom/units"
)

// The production story the demo tells about its sample system: everyday
// traffic, the TV broadcast, the objectives agreed with management and how
// the team first deployed the two components.
const (
	demoBaseRate     = 50.0 // everyday requests per second at the app
	demoSpikeFactor  = 30.0 // the broadcast brings 30× the everyday traffic
	demoMoneyShare   = 0.6  // money calls per app request (the customer mix)
	demoAvailability = 0.999
	demoLatencyLimit = 300 * time.Millisecond
	demoLatencyGoal  = 0.99
	demoNamespace    = "fintech"
)

// demoSLOFile is the SLO file of the demo system in the compact headroom
// form: what the team agreed with management after the incident.
func demoSLOFile(cmds DemoCommands) string {
	return fmt.Sprintf(`# The objectives the fintech team agreed with management, in the compact
# headroom form. %s turns them into Prometheus
# recording rules and multiwindow burn-rate alerts.
apiVersion: headroom/v1
kind: SLO
name: app-availability
service: app
description: Customers get an answer, not an error.
objective: %s
window: 30d
availability:
  metric: http_requests_total
  selector: {component: app}
  errorCodes: "5.."
---
apiVersion: headroom/v1
kind: SLO
name: app-latency
service: app
description: Pages answer within %s.
objective: %s
window: 30d
latency:
  histogram: http_request_duration_seconds
  selector: {component: app}
  threshold: %s
`, cmds.SLORules("slo.yaml"), slo.FormatPercent(demoAvailability), demoLatencyLimit, slo.FormatPercent(demoLatencyGoal), demoLatencyLimit)
}

// demoCapacityYAML is a component's capacity block in the demo's System
// file, indented for it: the profile just measured, or — when the demo
// fell back — the capacity by construction, inline, with a comment that
// says it is not a measurement and why.
func demoCapacityYAML(name string, rep *DemoReplica) string {
	if rep.Source != demoFallback {
		return fmt.Sprintf("      capacity:\n        profile: %s.capacity.json", name)
	}
	lat := time.Duration(rep.Latency * float64(time.Second)).Round(time.Microsecond)
	cpu := time.Duration(rep.CPUPerRequest * float64(time.Second)).Round(time.Microsecond)
	return fmt.Sprintf(`      # FALLBACK, NOT MEASURED: %s's capacity by construction (%s),
      # because %s.capacity.json holds no measured capacity:
      # %s.
      # CPU per request: %s.
      capacity:
        perReplicaRPS: %.4g
        cpuPerRequest: %s
        latency:
          - {rate: 0, p50: %s, p90: %s, p99: %s}`, name, rep.Construction, name, rep.Reason, rep.CPUSource,
		rep.Rate, cpu, lat, lat, lat*6/5)
}

// demoDeploy is how one component of the demo system is deployed: its
// requests and limits (Kubernetes quantities; a limit "" for none) and its
// HPA on CPU utilisation.
type demoDeploy struct {
	cpu, memory           string
	cpuLimit, memoryLimit string
	min, max              int32
	target                int32 // percent of the CPU request
}

// demoLaunched is how the team first deployed both components: small
// requests, two replicas, an HPA at 70% CPU.
func demoLaunched() (app, money demoDeploy) {
	d := demoDeploy{cpu: "250m", memory: "512Mi", cpuLimit: "1", memoryLimit: "1Gi", min: 2, max: 20, target: 70}
	return d, d
}

// yaml writes the deployment's resources and HPA, indented for a
// component of the System file.
func (d demoDeploy) yaml() string {
	limits := ""
	switch {
	case d.cpuLimit != "" && d.memoryLimit != "":
		limits = fmt.Sprintf("\n        limits: {cpu: %q, memory: %s}", d.cpuLimit, d.memoryLimit)
	case d.cpuLimit != "":
		limits = fmt.Sprintf("\n        limits: {cpu: %q}", d.cpuLimit)
	case d.memoryLimit != "":
		limits = fmt.Sprintf("\n        limits: {memory: %s}", d.memoryLimit)
	}
	return fmt.Sprintf(`      resources:
        requests: {cpu: %s, memory: %s}%s`, d.cpu, d.memory, limits)
}

// hpaYAML writes the deployment's HPA, indented for a component.
func (d demoDeploy) hpaYAML() string {
	return fmt.Sprintf(`      hpa:
        minReplicas: %d
        maxReplicas: %d
        metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: %d}`, d.min, d.max, d.target)
}

// demoSystemFile is a System file of the demo on GKE Autopilot: the two
// components deployed as app and money say, with the capacity blocks
// moneyCapacity and appCapacity (see demoCapacityYAML), the SLO and the
// scenarios every stage of the story is simulated through. header is the
// file's opening comment, one line per element.
func demoSystemFile(header []string, moneyCapacity, appCapacity string, app, money demoDeploy) string {
	spike := fmt.Sprintf("spike:base=%g,multiple=%g,at=10m,rise=2m,hold=5m,decay=15m,for=1h30m", demoBaseRate, demoSpikeFactor)
	return fmt.Sprintf(`# %s
apiVersion: headroom/v1
kind: System
metadata:
  name: fintech-demo
spec:
  entry: app
  components:
    - name: app
%s
%s
      startup: {schedule: 2s, imagePull: 8s, init: 5s, readiness: 10s}
      timeout: 10s
      retries: 1
      calls:
        money: %g
%s
    - name: money
%s
%s
      startup: {schedule: 2s, imagePull: 15s, init: 20s, readiness: 10s}
      timeout: 5s
%s
  nodes:
    mode: autopilot
  slo:
    availability: %s
    latency: {threshold: %s, target: %s}
    window: 30d
    windowRate: %g
  scenarios:
    # The next broadcast is on the programme's schedule: its date and time
    # are known, so replicas may be raised before it.
    - name: tv-spike
      traffic: %s
      duration: 1h30m
      event: announced
    # The evening peak follows the news, whatever the day: nobody can date
    # it, so only what runs all the time absorbs it.
    - name: evening-peak
      traffic: stages:start=%g,to=%g@2h/%g@1h/%g@2h
      duration: 5h
      event: surprise
`, strings.Join(header, "\n# "), appCapacity, app.yaml(), demoMoneyShare, app.hpaYAML(), moneyCapacity, money.yaml(), money.hpaYAML(),
		slo.FormatPercent(demoAvailability), demoLatencyLimit, slo.FormatPercent(demoLatencyGoal), demoBaseRate,
		spike, demoBaseRate, 3*demoBaseRate, 3*demoBaseRate, demoBaseRate)
}

// Headers of the demo's System files: one per stage of the story, a line
// per element.
func demoLaunchedHeader(cmds DemoCommands) []string {
	return []string{
		"The demo system as the team first deployed it on GKE Autopilot, with the",
		"capacity of one replica of each component measured by headroom demo (or,",
		"where marked FALLBACK, known by construction because it could not be).",
		"Try: " + cmds.Sim("system.yaml") + ", " + cmds.Plan("system.yaml", false),
	}
}

func demoPanicHeader(cmds DemoCommands) []string {
	return []string{
		"The demo system after the broadcast, as the team scaled it up in a panic:",
		"app and money at 12 replicas with large requests (as in cluster.yaml).",
		"Try: " + cmds.Sim("system.panic.yaml"),
	}
}

func demoCutsHeader(cmds DemoCommands) []string {
	return []string{
		"The panic system with the safe cuts applied (as in cluster.cuts.yaml and",
		"rightsize-patch.yaml), simulated through the same scenarios.",
		"Try: " + cmds.Sim("system.cuts.yaml"),
	}
}

// demoWorkload is one workload of the cluster the team ran after the
// broadcast, when everything was scaled up in a panic.
type demoWorkload struct {
	name     string
	replicas int32
	cpu      string // request per pod
	memory   string
	hpaMin   int32 // 0: no HPA
	hpaMax   int32
	// hpaTarget is the HPA's CPU utilisation target, in percent.
	hpaTarget int32
	// cpuPerPod is the measured CPU use of one pod at the everyday rate,
	// in cores; memPeak the working set assumed for it, in bytes.
	cpuPerPod float64
	memPeak   float64
	// idle: it served no request all fortnight (only health checks reach it).
	idle bool
}

// demoPanicCluster is the cluster after the broadcast: app and money at
// twelve replicas each, with large requests and HPA minimums to match, and
// two workloads left over from the emergency.
func demoPanicCluster(appCPUPerReq, moneyCPUPerReq float64) []demoWorkload {
	perPod := func(rate, cpuPerReq float64, pods int32) float64 {
		return rate*cpuPerReq/float64(pods) + 0.003 // plus an idle baseline of 3m
	}
	return []demoWorkload{
		{name: "app", replicas: 12, cpu: "1", memory: "1Gi", hpaMin: 12, hpaMax: 40, hpaTarget: 70,
			cpuPerPod: perPod(demoBaseRate, appCPUPerReq, 12), memPeak: 180 << 20},
		{name: "money", replicas: 12, cpu: "2", memory: "2Gi", hpaMin: 12, hpaMax: 40, hpaTarget: 70,
			cpuPerPod: perPod(demoBaseRate*demoMoneyShare, moneyCPUPerReq, 12), memPeak: 240 << 20},
		{name: "admin-web", replicas: 3, cpu: "500m", memory: "1Gi", cpuPerPod: 0.004, memPeak: 90 << 20},
		{name: "loadtest-runner", replicas: 2, cpu: "2", memory: "4Gi", cpuPerPod: 0.0005, memPeak: 40 << 20, idle: true},
	}
}

// deploy is the workload as a component of the demo's System file: its
// requests (no limits, as in the cluster) and its HPA.
func (w demoWorkload) deploy() demoDeploy {
	return demoDeploy{cpu: w.cpu, memory: w.memory, min: w.hpaMin, max: w.hpaMax, target: w.hpaTarget}
}

// demoWorkloadNamed returns the workload called name.
func demoWorkloadNamed(ws []demoWorkload, name string) demoWorkload {
	for _, w := range ws {
		if w.name == name {
			return w
		}
	}
	return demoWorkload{name: name}
}

// demoApplyCuts returns the workloads with the cuts of recs applied, as
// kubectl would apply rightsize-patch.yaml: requests, HPA targets,
// minimums and maximums, and replicas of idle workloads. Raises are
// applied too (they are the safe direction); node changes do not apply on
// Autopilot.
func demoApplyCuts(ws []demoWorkload, recs []rightsize.Recommendation) []demoWorkload {
	out := append([]demoWorkload(nil), ws...)
	for _, r := range recs {
		for i := range out {
			w := &out[i]
			if w.name != r.Workload {
				continue
			}
			if r.Action == rightsize.ActionRequests || r.CPURequest != r.CurrentCPURequest || r.MemoryRequest != r.CurrentMemoryRequest {
				if r.CPURequest > 0 {
					w.cpu = units.CPU(math.Ceil(r.CPURequest*1000-1e-6) / 1000)
				}
				if r.MemoryRequest > 0 {
					w.memory = mebibytes(int64(math.Ceil(r.MemoryRequest/(1<<20) - 1e-9)))
				}
			}
			if h := r.HPA; h != nil && w.hpaMin > 0 {
				// Each recommendation changes only what it names: a
				// requests cut carries the HPA's minimum unchanged.
				if h.NewMinReplicas > 0 && h.NewMinReplicas != h.MinReplicas {
					w.hpaMin = int32(h.NewMinReplicas)
				}
				if h.NewMaxReplicas > 0 && h.NewMaxReplicas != h.MaxReplicas {
					w.hpaMax = int32(h.NewMaxReplicas)
				}
				if h.NewCPUTarget > 0 && h.NewCPUTarget != h.CPUTarget {
					w.hpaTarget = int32(math.Round(h.NewCPUTarget * 100))
				}
				// The HPA settles at its minimum at the everyday rate.
				w.replicas = w.hpaMin
			}
			if r.RecommendedReplicas != nil {
				w.replicas = int32(*r.RecommendedReplicas)
			}
		}
	}
	return out
}

// demoSnapshot writes the workloads as `kubectl get deploy,hpa,pod -o
// yaml` would: a List of Kubernetes objects.
func demoSnapshot(ws []demoWorkload) ([]byte, error) {
	out := make([]kube.SyntheticWorkload, 0, len(ws))
	for _, w := range ws {
		sw := kube.SyntheticWorkload{Namespace: demoNamespace, Name: w.name, Replicas: w.replicas, CPU: w.cpu, Memory: w.memory,
			HPAMin: w.hpaMin, HPAMax: w.hpaMax, HPATarget: w.hpaTarget, Created: demoCreated}
		for i := int32(0); i < w.replicas; i++ {
			sw.Pods = append(sw.Pods, demoPodName(w.name, i))
		}
		out = append(out, sw)
	}
	return kube.Synthesize(out)
}

// demoCreated is when the demo's workloads were created.
var demoCreated = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// mebibytes writes n MiB as Kubernetes writes the quantity: in Gi when it
// is a whole number of them.
func mebibytes(n int64) string {
	if n != 0 && n%1024 == 0 {
		return fmt.Sprintf("%dGi", n/1024)
	}
	return fmt.Sprintf("%dMi", n)
}

func demoPodName(workload string, i int32) string {
	return fmt.Sprintf("%s-7d9f8c6b5-%05d", workload, 10007*(i+1)%100000)
}

// demoUsage is fourteen days of usage of the panic cluster as Prometheus
// would report it: CPU from the CPU per request measured on the demo times
// the everyday traffic, memory as assumed in demoPanicCluster; every
// workload but the forgotten load-test runner served requests, and the
// HPAs sat at their (panic-sized) minimums all fortnight.
func demoUsage(ws []demoWorkload, end time.Time) *rightsize.Usage {
	u := &rightsize.Usage{End: end, Window: 14 * 24 * time.Hour, Step: time.Minute, PeakResolution: time.Minute, CPUPercentile: 0.99,
		Pods: map[rightsize.PodKey]rightsize.PodActivity{}, Workloads: map[rightsize.WorkloadRef]rightsize.WorkloadHistory{},
		RequestMetrics: []string{"http_requests_total"}}
	samples := int(u.Window / time.Minute)
	for _, w := range ws {
		ref := rightsize.WorkloadRef{Kind: rightsize.KindDeployment, Namespace: demoNamespace, Name: w.name}
		u.Workloads[ref] = rightsize.WorkloadHistory{Has: rightsize.StatReplicas, AvgReplicas: float64(w.replicas)}
		for i := int32(0); i < w.replicas; i++ {
			pod := demoPodName(w.name, i)
			u.Containers = append(u.Containers, rightsize.ContainerUsage{
				Namespace: demoNamespace, Pod: pod, Container: w.name,
				Has: rightsize.StatCPUHigh | rightsize.StatCPUPeak | rightsize.StatCPUAvg | rightsize.StatMemoryPeak |
					rightsize.StatMemoryAvg | rightsize.StatHistory | rightsize.StatOOM,
				// The p99 of a day's per-minute usage runs about 2.2× its
				// mean, and its busiest minute about 3×.
				CPUHigh: math.Max(w.cpuPerPod*2.2, 0.001), CPUPeak: math.Max(w.cpuPerPod*3, 0.001), CPUAvg: w.cpuPerPod,
				MemoryPeak: w.memPeak, MemoryAvg: w.memPeak * 0.8, Samples: samples,
				Observed: u.Window,
			})
			key := rightsize.PodKey{Namespace: demoNamespace, Pod: pod}
			if w.idle {
				// Health checks every 10 s: a steady 40 B/s, no bursts.
				u.Pods[key] = rightsize.PodActivity{Has: rightsize.StatNetwork, RxPeak: 41, RxTypical: 40}
				continue
			}
			u.Pods[key] = rightsize.PodActivity{Has: rightsize.StatRequests | rightsize.StatNetwork,
				Requests: demoBaseRate * u.Window.Seconds() / float64(w.replicas), RxPeak: 9000, RxTypical: 3000}
		}
	}
	return u
}

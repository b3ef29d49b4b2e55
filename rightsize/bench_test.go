package rightsize_test

import (
	"fmt"
	"testing"

	"github.com/headroom-sre/headroom/rightsize"
)

// bigCluster is 100 namespaces × 20 Deployments × 5 pods of one container:
// 10,000 containers on 250 n2-standard-8 nodes, a third of them with an HPA.
func bigCluster() (*rightsize.Cluster, *rightsize.Usage) {
	c := &rightsize.Cluster{}
	u := &rightsize.Usage{}
	for n := range 250 {
		c.Nodes = append(c.Nodes, rightsize.Node{Name: fmt.Sprintf("node-%03d", n), MachineType: "n2-standard-8",
			Capacity: rightsize.Resources{CPU: 8, Memory: 32 * gi}})
	}
	pod := 0
	for ns := range 100 {
		for d := range 20 {
			w := rightsize.Workload{WorkloadRef: ref("Deployment", fmt.Sprintf("ns-%03d", ns), fmt.Sprintf("svc-%02d", d)), Replicas: 5,
				Containers: []rightsize.Container{ctr("app", 0.5, 512*mi)}}
			if d%3 == 0 {
				w.HPA = &rightsize.HPA{Name: w.Name, MinReplicas: 5, MaxReplicas: 20, CPUTarget: 0.6, CPUMetric: 0}
			}
			c.Workloads = append(c.Workloads, w)
			for p := range 5 {
				name := fmt.Sprintf("%s-7f9c6b8d5b-%05d", w.Name, p)
				c.Pods = append(c.Pods, rightsize.Pod{Namespace: w.Namespace, Name: name, Owner: w.WorkloadRef, Phase: "Running",
					Node: fmt.Sprintf("node-%03d", pod%250), Containers: w.Containers})
				load := 0.02 + float64((pod*7919)%100)/200
				u.Containers = append(u.Containers, rightsize.ContainerUsage{Namespace: w.Namespace, Pod: name, Container: "app",
					Has: allStats, CPUHigh: load, CPUPeak: load * 1.5, CPUAvg: load / 2, MemoryPeak: 100*mi + float64(pod%400)*mi, MemoryAvg: 100 * mi,
					Samples: 20160, Observed: 14 * day})
				pod++
			}
		}
	}
	return c, u
}

// BenchmarkAnalyse10k is the in-process part of right-sizing 10,000
// containers: grouping usage by workload, the cost map and the
// recommendations (the Prometheus side is measured by bench/rightsize).
func BenchmarkAnalyse10k(b *testing.B) {
	c, u := bigCluster()
	b.ReportAllocs()
	for b.Loop() {
		byWL, _ := u.ByWorkload(c)
		if _, err := rightsize.Cost(c, byWL, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"}); err != nil {
			b.Fatal(err)
		}
		r, err := rightsize.Recommend(c, byWL, rightsize.RecommendOptions{Cost: rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"}})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Recommendations) == 0 {
			b.Fatal("no recommendations")
		}
	}
}

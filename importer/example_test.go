package importer_test

import (
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/importer"
)

func ExampleBuild() {
	// One Deployment as internal/kube reads it from a cluster: its
	// requests, replicas and HPA, and three pods' start-ups.
	c := importer.Cluster{
		Source: "snapshot cluster.yaml",
		Nodes:  importer.Nodes{Autopilot: true, AutopilotSignal: "node gk3-prod-pool-2-5b1c9d3e-k2vq: named gk3-…", Version: "v1.33.1-gke.1584000"},
		Workloads: []importer.Workload{{
			Kind: "Deployment", Namespace: "shop", Name: "web", Replicas: 3,
			Containers: []importer.Container{{Name: "app", CPURequest: 0.5, MemoryRequest: 512 << 20}},
			HPA: &importer.HPA{Name: "web", MinReplicas: 3, MaxReplicas: 30, Metrics: []importer.Metric{
				{Type: "Resource", Name: "cpu", Target: importer.Target{Type: "Utilization", AverageUtilization: 60}}}},
			Startups: []importer.PodStartup{
				{Pod: "shop/web-a", Schedule: time.Second, Start: 20 * time.Second, Gates: 2 * time.Second},
				{Pod: "shop/web-b", Schedule: time.Second, Start: 24 * time.Second, Gates: 2 * time.Second},
				{Pod: "shop/web-c", Schedule: 3 * time.Second, Start: 31 * time.Second, Gates: 3 * time.Second},
			},
		}},
	}
	res, err := importer.Build(c, nil, importer.Options{Name: "shop"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range res.Items {
		if it.Component == "web" {
			fmt.Printf("%-9s %-43s %s\n", it.Status, it.Path, it.Value)
		}
	}
	fmt.Printf("%d values unknown, written with safe defaults\n", res.Count(importer.Unknown))
	// Output:
	// unknown   spec.components[0].capacity.perReplicaRPS   1
	// unknown   spec.components[0].capacity.lowerBound      true
	// measured  spec.components[0].resources.requests.cpu   500m
	// measured  spec.components[0].resources.requests.memory 512Mi
	// measured  spec.components[0].replicas                 3
	// measured  spec.components[0].startup.schedule         1s
	// unknown   spec.components[0].startup.imagePull        0s
	// measured  spec.components[0].startup.init             24s
	// measured  spec.components[0].startup.readiness        2s
	// measured  spec.components[0].startup.p90              37s
	// measured  spec.components[0].hpa.minReplicas          3
	// measured  spec.components[0].hpa.maxReplicas          30
	// measured  spec.components[0].hpa.metrics[0]           Resource cpu
	// 9 values unknown, written with safe defaults
}

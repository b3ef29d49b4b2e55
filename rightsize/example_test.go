package rightsize_test

import (
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/rightsize"
)

// A Deployment of three pods that each ask for a core and 1 GiB but use a
// fifth of a core and 300 MiB at most, on Autopilot in us-central1.
func ExampleRecommend() {
	api := rightsize.WorkloadRef{Kind: "Deployment", Namespace: "shop", Name: "api"}
	c := &rightsize.Cluster{Workloads: []rightsize.Workload{{
		WorkloadRef: api,
		Replicas:    3,
		Containers: []rightsize.Container{{Name: "app",
			Requests: rightsize.Resources{CPU: 1, Memory: 1 << 30}}},
	}}}
	// Fourteen days of usage: the p99 of its per-minute CPU is 0.2 core,
	// its busiest minute 0.3, its peak working set 300 MiB; it serves
	// requests.
	use := rightsize.WorkloadUsage{api: {
		Containers: map[string]*rightsize.ContainerStats{"app": {Container: "app",
			Has:     rightsize.StatCPUHigh | rightsize.StatCPUPeak | rightsize.StatMemoryPeak | rightsize.StatHistory,
			CPUHigh: 0.2, CPUPeak: 0.3, MemoryPeak: 300 << 20, Samples: 20160, Pods: 3}},
		History: 14 * 24 * time.Hour,
		Traffic: rightsize.Traffic{Has: rightsize.StatRequests, Requests: 1e6},
	}}
	r, err := rightsize.Recommend(c, use, rightsize.RecommendOptions{
		Cost: rightsize.CostOptions{Mode: rightsize.Autopilot, Region: "us-central1"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range r.Recommendations {
		fmt.Printf("%s/%s %s: cpu %s, memory %s, saves $%.2f a month (%s, risk %s)\n", x.Namespace, x.Workload, x.Container,
			rightsize.FormatCPU(x.CPURequest), rightsize.FormatMemory(x.MemoryRequest), x.MonthlySaving, x.Class, x.Risk)
	}
	// Output:
	// shop/api app: cpu 230m, memory 345Mi, saves $82.19 a month (easy, risk medium)
}

// Where the money goes in a Standard cluster of two n2-standard-4 nodes
// running one pod that asks for a core and 2 GiB.
func ExampleCost() {
	web := rightsize.WorkloadRef{Kind: "Deployment", Namespace: "shop", Name: "web"}
	node := func(name string) rightsize.Node {
		return rightsize.Node{Name: name, MachineType: "n2-standard-4", Capacity: rightsize.Resources{CPU: 4, Memory: 16 << 30}}
	}
	pod := rightsize.Container{Name: "web", Requests: rightsize.Resources{CPU: 1, Memory: 2 << 30}}
	c := &rightsize.Cluster{
		Workloads: []rightsize.Workload{{WorkloadRef: web, Replicas: 1, Containers: []rightsize.Container{pod}}},
		Pods:      []rightsize.Pod{{Namespace: "shop", Name: "web-6d4cf56db6-x7k2p", Owner: web, Node: "a", Containers: []rightsize.Container{pod}}},
		Nodes:     []rightsize.Node{node("a"), node("b")},
	}
	r, err := rightsize.Cost(c, nil, rightsize.CostOptions{Mode: rightsize.Standard, Region: "us-central1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("web $%.2f, idle $%.2f, cluster fee $%.2f: $%.2f a month\n",
		r.Workloads[0].MonthlyCost, r.Idle.MonthlyCost, r.ClusterFee, r.MonthlyCost)
	// Output:
	// web $23.41, idle $203.46, cluster fee $73.00: $299.87 a month
}

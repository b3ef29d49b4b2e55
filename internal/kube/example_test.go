package kube_test

import (
	"fmt"

	"github.com/headroom-sre/headroom/internal/kube"
)

func ExampleReadSnapshot() {
	// What `kubectl get deploy,sts,ds,cronjob,job,hpa,pdb,pod,node -A -o
	// yaml` (kube.SnapshotCommand) writes, cut down to two objects.
	snapshot := `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    replicas: 2
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
        - name: nginx
          resources: {limits: {cpu: 500m, memory: 256Mi}}
- apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: web, namespace: shop}
  spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
`
	objs, err := kube.ReadSnapshot("cluster.yaml", []byte(snapshot))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := objs.Cluster("")
	fmt.Println(kube.Summary(c))
	w := c.Workloads[0]
	fmt.Printf("%v: %d replicas of %g cores, %g MiB; PDBs %v\n", w.WorkloadRef, w.Replicas, w.PodRequests().CPU, w.PodRequests().Memory/(1<<20), w.PDBs)
	fmt.Printf("pods listed: %v, PDBs listed: %v\n", c.PodsListed, c.PDBsListed)
	// Output:
	// 1 workloads, 0 pods, 0 nodes
	// Deployment shop/web: 2 replicas of 0.5 cores, 256 MiB; PDBs [web]
	// pods listed: false, PDBs listed: true
}

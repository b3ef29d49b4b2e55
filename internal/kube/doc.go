// Package kube is headroom's adapter to Kubernetes: it reads Deployments,
// StatefulSets, DaemonSets, CronJobs, Jobs, HorizontalPodAutoscalers,
// PodDisruptionBudgets, Pods and Nodes, from a cluster through client-go
// ([Read]) or from a snapshot file ([ReadSnapshot]: the output of
// [SnapshotCommand], `kubectl get deploy,sts,ds,cronjob,job,hpa,pdb,pod,node
// -A -o yaml`), and maps them to plain [rightsize.Cluster] values. Both go
// through [Objects.Add] and [Objects.Cluster], so the same objects map to
// the same cluster whichever way they were read.
//
// Mapping: a pod's owner is its controller reference, a ReplicaSet being
// mapped to its Deployment by name (the ReplicaSet is the Deployment's
// name plus the pod-template-hash), and a Job to the CronJob that controls
// it (from the Job's own controller reference when the Job was read, else
// from the CronJob controller's naming, NAME-<scheduled minute>). The runs
// of a CronJob are one workload. Owners that were not read become
// workloads of their own, sized from their pods. Native sidecars (init
// containers that always restart) count as containers, and a request that
// is not set is the limit, as the API server defaults it. A workload's
// PodDisruptionBudgets are those of its namespace whose selector matches
// its pod template. Nodes carry their machine type
// (node.kubernetes.io/instance-type), Spot (cloud.google.com/gke-spot or
// gke-preemptible), node pool, region, kubelet version and the signs of
// GKE Autopilot. CPU is in cores and memory in bytes.
//
// For `headroom import`, [Objects.Facts] maps the same objects to
// [importer.Cluster]: Deployments and StatefulSets with their HPAs
// (autoscaling/v2, behavior included) and PodDisruptionBudgets, pods'
// start-ups from their conditions ([PodStartup]), image pulls from the
// kubelet's "Pulled" Events ([ParsePulled]; [ReadEvents] lists them from
// the API, [ImportSnapshotCommand] puts them in a snapshot) and the node
// pool.
//
// A cluster read through the API always says that its pods and PDBs were
// listed; a snapshot only when it holds a Pod (or a PodList) and a
// PodDisruptionBudget (or a PodDisruptionBudgetList), since a snapshot
// cannot tell "none" from "not captured".
package kube

// Package clustergen generates a realistic GKE cluster for tests: the
// objects a `kubectl get deploy,sts,ds,cronjob,job,hpa,pdb,pod,node -A -o
// yaml` would print at the end of a window, fourteen days of cAdvisor,
// kube-state-metrics and application history for them as OpenMetrics text
// (for `promtool tsdb create-blocks-from openmetrics`), and the Truth a
// careful SRE would know about each workload: whether it serves traffic,
// the 99th percentile and the peak of its per-minute CPU use, its peak
// working set, how long it has existed, what protects it and where its
// pods run.
//
// The cluster has 23 workloads in the namespaces shop, payments,
// platform, tools and data, each built to exercise one way right-sizing
// goes wrong: a daily 20-minute spike hidden by five-minute averages, a
// memory leak killed by its limit, an HPA pinned at its maximum and one
// that churns between 2 and 8 replicas, a CronJob whose runs are new pods
// every hour, a container without requests, a crash-looping pod,
// a Deployment three hours old, services that are quiet but alive
// (a webhook called a few times an hour, a static site with no request
// counter, an admin tool used 45 minutes a day) and one that is truly
// idle, a StatefulSet, a PodDisruptionBudget and single replicas on the
// "default" node pool, and only replicated, unprotected Deployments on the
// "stateless" pool. Usage has noise, a daily cycle in US Central time,
// quieter weekends, and rolling updates that replace pods.
//
// Generation is pure and deterministic: the same Options give the same
// bytes. Nothing is read or written; tests write the values to files.
package clustergen

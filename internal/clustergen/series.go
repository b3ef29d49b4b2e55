package clustergen

import (
	"strconv"
	"strings"
)

// family is one OpenMetrics metric family: its series are written
// together, each with its samples in time order.
type family struct {
	name   string // the family name; counters' samples add _total
	typ    string // counter or gauge
	series []*series
}

// series is one time series: its labels, already rendered, and samples.
type series struct {
	labels string
	ts     []int64 // Unix seconds
	vs     []float64
}

func (s *series) add(t int64, v float64) {
	s.ts = append(s.ts, t)
	s.vs = append(s.vs, v)
}

// store holds the families in the order they are written.
type store struct {
	order []*family
	byKey map[string]*family
}

func newStore() *store { return &store{byKey: map[string]*family{}} }

// families lists every family the generator writes, in output order, so
// that the text's layout does not depend on which workloads exist.
var families = []struct{ name, typ string }{
	{"container_cpu_usage_seconds", "counter"},
	{"container_memory_working_set_bytes", "gauge"},
	{"container_cpu_cfs_periods", "counter"},
	{"container_cpu_cfs_throttled_periods", "counter"},
	{"container_network_receive_bytes", "counter"},
	{"http_requests", "counter"},
	{"kube_pod_owner", "gauge"},
	{"kube_replicaset_owner", "gauge"},
	{"kube_job_owner", "gauge"},
	{"kube_pod_info", "gauge"},
	{"kube_pod_status_phase", "gauge"},
	{"kube_pod_container_info", "gauge"},
	{"kube_pod_container_resource_requests", "gauge"},
	{"kube_pod_container_resource_limits", "gauge"},
	{"kube_pod_container_status_restarts", "counter"},
	{"kube_pod_container_status_last_terminated_reason", "gauge"},
	{"kube_deployment_spec_replicas", "gauge"},
	{"kube_deployment_status_replicas", "gauge"},
	{"kube_statefulset_replicas", "gauge"},
	{"kube_statefulset_status_replicas", "gauge"},
	{"kube_horizontalpodautoscaler_spec_min_replicas", "gauge"},
	{"kube_horizontalpodautoscaler_spec_max_replicas", "gauge"},
	{"kube_horizontalpodautoscaler_status_current_replicas", "gauge"},
	{"kube_horizontalpodautoscaler_spec_target_metric", "gauge"},
	{"kube_horizontalpodautoscaler_info", "gauge"},
	{"kube_node_labels", "gauge"},
	{"kube_node_info", "gauge"},
	{"kube_node_status_capacity", "gauge"},
	{"kube_node_status_allocatable", "gauge"},
}

func (st *store) family(name string) *family {
	if f := st.byKey[name]; f != nil {
		return f
	}
	panic("clustergen: unknown metric family " + name)
}

// newSeries starts a series of family name with labels given as
// alternating names and values.
func (st *store) newSeries(name string, kv ...string) *series {
	f := st.family(name)
	s := &series{labels: renderLabels(kv)}
	f.series = append(f.series, s)
	return s
}

func (st *store) init() {
	for _, f := range families {
		fam := &family{name: f.name, typ: f.typ}
		st.order = append(st.order, fam)
		st.byKey[f.name] = fam
	}
}

func renderLabels(kv []string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue // Prometheus drops empty labels
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i])
		b.WriteString(`="`)
		b.WriteString(escapeLabel(kv[i+1]))
		b.WriteByte('"')
	}
	return b.String()
}

func escapeLabel(v string) string {
	if !strings.ContainsAny(v, "\\\"\n") {
		return v
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}

// counts returns the number of series and samples.
func (st *store) counts() (nseries, samples int) {
	for _, f := range st.order {
		for _, s := range f.series {
			if len(s.ts) > 0 {
				nseries++
				samples += len(s.ts)
			}
		}
	}
	return nseries, samples
}

// render writes the OpenMetrics text, ending with # EOF.
func (st *store) render() string {
	size := 16
	for _, f := range st.order {
		for _, s := range f.series {
			size += len(s.ts) * (len(f.name) + len(s.labels) + 32)
		}
	}
	buf := make([]byte, 0, size)
	for _, f := range st.order {
		n := 0
		for _, s := range f.series {
			n += len(s.ts)
		}
		if n == 0 {
			continue
		}
		buf = append(buf, "# TYPE "...)
		buf = append(buf, f.name...)
		buf = append(buf, ' ')
		buf = append(buf, f.typ...)
		buf = append(buf, '\n')
		name := f.name
		if f.typ == "counter" {
			name += "_total"
		}
		for _, s := range f.series {
			for i, t := range s.ts {
				buf = append(buf, name...)
				buf = append(buf, '{')
				buf = append(buf, s.labels...)
				buf = append(buf, "} "...)
				buf = appendValue(buf, s.vs[i])
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, t, 10)
				buf = append(buf, '\n')
			}
		}
	}
	buf = append(buf, "# EOF\n"...)
	return string(buf)
}

// appendValue writes v in the shortest form that parses back to the same
// float64, so that what Prometheus computes from the text is what Truth
// computed from the values.
func appendValue(buf []byte, v float64) []byte {
	if v == float64(int64(v)) && v < 1<<53 && v > -(1<<53) {
		return strconv.AppendInt(buf, int64(v), 10)
	}
	if v > -1e15 && v < 1e15 {
		return strconv.AppendFloat(buf, v, 'f', -1, 64)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, 64)
}

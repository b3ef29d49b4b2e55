package spec_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/sim"
)

// bufferSystem is a System file on a Standard pool of n2-standard-4 nodes
// with the given lines under spec.nodes (indented four spaces).
func bufferSystem(mode, nodes string) string {
	pool := "    mode: standard\n    machineType: n2-standard-4\n    maxNodes: 10\n"
	if mode == "autopilot" {
		pool = "    mode: autopilot\n"
	}
	return "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: web\n" +
		"  components:\n    - name: web\n      capacity: {perReplicaRPS: 100}\n      resources: {requests: {cpu: 500m, memory: 512Mi}}\n" +
		"  nodes:\n" + pool + nodes +
		"  scenarios:\n    - {name: s, traffic: 'constant:rate=100,for=1m'}\n"
}

func TestParseSystemCapacityBuffer(t *testing.T) {
	cases := []struct {
		name, mode, nodes string
		want              sim.CapacityBuffer
		profile           sim.AutoscalingProfile
		wantErr           string
	}{
		{"an active buffer of replicas", "standard",
			"    capacityBuffer:\n      replicas: 4\n      podTemplate: {cpu: 500m, memory: 512Mi}\n",
			sim.CapacityBuffer{Strategy: sim.ActiveBuffer, Replicas: 4, CPU: 0.5, Memory: 512 << 20}, "", ""},
		{"a standby buffer with the API's strategy and a resume delay", "standard",
			"    capacityBuffer:\n      provisioningStrategy: buffer.gke.io/standby-capacity\n      replicas: 3\n      podTemplate: {cpu: 1, memory: 1Gi}\n      resumeDelay: 30s\n",
			sim.CapacityBuffer{Strategy: sim.StandbyBuffer, Replicas: 3, CPU: 1, Memory: 1 << 30, ResumeDelay: 30 * time.Second}, "", ""},
		{"limits without replicas: as many units as fit", "standard",
			"    capacityBuffer:\n      provisioningStrategy: standby\n      podTemplate: {cpu: 500m, memory: 1Gi}\n      limits: {cpu: 4, memory: 3Gi}\n",
			sim.CapacityBuffer{Strategy: sim.StandbyBuffer, Replicas: 3, CPU: 0.5, Memory: 1 << 30}, "", ""},
		{"limits cap replicas", "standard",
			"    capacityBuffer:\n      replicas: 20\n      podTemplate: {cpu: 500m}\n      limits: {cpu: 2}\n",
			sim.CapacityBuffer{Replicas: 4, CPU: 0.5}, "", ""},
		{"a profile", "standard",
			"    autoscalingProfile: optimize-utilization\n",
			sim.CapacityBuffer{}, sim.OptimizeUtilization, ""},
		{"an unknown profile", "standard", "    autoscalingProfile: aggressive\n", sim.CapacityBuffer{}, "",
			"s.yaml:13:5: spec.nodes.autoscalingProfile: unknown autoscaling profile"},
		{"an unknown strategy", "standard",
			"    capacityBuffer:\n      provisioningStrategy: warm\n      replicas: 1\n      podTemplate: {cpu: 1}\n", sim.CapacityBuffer{}, "",
			"spec.nodes.capacityBuffer.provisioningStrategy: want active or standby"},
		{"no pod template", "standard", "    capacityBuffer: {replicas: 2}\n", sim.CapacityBuffer{}, "", "podTemplate"},
		{"neither replicas nor limits", "standard", "    capacityBuffer: {podTemplate: {cpu: 1}}\n", sim.CapacityBuffer{}, "",
			"spec.nodes.capacityBuffer: give replicas, limits or both"},
		{"zero replicas", "standard", "    capacityBuffer: {replicas: 0, podTemplate: {cpu: 1}}\n", sim.CapacityBuffer{}, "",
			"spec.nodes.capacityBuffer.replicas: want 1 or more"},
		{"limits too small for one unit", "standard", "    capacityBuffer: {podTemplate: {cpu: 1}, limits: {cpu: 500m}}\n", sim.CapacityBuffer{}, "",
			"no unit of the pod template fits within the limits"},
		{"a resume delay on an active buffer", "standard", "    capacityBuffer: {replicas: 1, podTemplate: {cpu: 1}, resumeDelay: 30s}\n", sim.CapacityBuffer{}, "",
			"only a standby buffer resumes nodes"},
		{"a unit larger than a node", "standard", "    capacityBuffer: {replicas: 1, podTemplate: {cpu: 8}}\n", sim.CapacityBuffer{}, "",
			"spec.nodes: nodes: capacityBuffer: a unit (8 CPU"},
		{"on Autopilot", "autopilot", "    capacityBuffer: {replicas: 1, podTemplate: {cpu: 1}}\n", sim.CapacityBuffer{}, "",
			"pod-based billing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := spec.ParseSystem("s.yaml", []byte(bufferSystem(tc.mode, tc.nodes)), nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseSystem error = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSystem: %v", err)
			}
			n := f.System.Nodes
			if n.CapacityBuffer != tc.want || n.AutoscalingProfile != tc.profile {
				t.Errorf("buffer %+v, profile %q; want %+v, %q", n.CapacityBuffer, n.AutoscalingProfile, tc.want, tc.profile)
			}
			// What decodes compiles.
			if _, err := sim.Compile(f.System); err != nil {
				t.Errorf("a decoded system does not compile: %v", err)
			}
		})
	}
}

func FuzzParseCapacityBuffer(f *testing.F) {
	for _, nodes := range []string{
		"    capacityBuffer: {replicas: 4, podTemplate: {cpu: 500m, memory: 512Mi}}\n",
		"    capacityBuffer: {provisioningStrategy: standby, podTemplate: {cpu: 1, memory: 1Gi}, limits: {cpu: 4}, resumeDelay: 30s}\n",
		"    autoscalingProfile: optimize-utilization\n",
	} {
		f.Add(nodes)
	}
	f.Fuzz(func(t *testing.T, nodes string) {
		if len(nodes) > 2000 {
			return
		}
		file, err := spec.ParseSystem("f.yaml", []byte(bufferSystem("standard", nodes)), nil)
		if err != nil {
			if _, ok := err.(spec.Problems); !ok {
				t.Fatalf("ParseSystem error %T is not Problems: %v", err, err)
			}
			return
		}
		if _, err := sim.Compile(file.System); err != nil {
			t.Fatalf("a decoded system does not compile: %v", err)
		}
	})
}

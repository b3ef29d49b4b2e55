package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The command printed to reproduce a result repeats the flags given,
// quoted for a shell, and never a credential or an output file.
func TestCommandLine(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"flags in order", []string{"--snapshot", "c.yaml", "--mode", "standard"}, "headroom cost --mode standard --snapshot c.yaml"},
		{"quoted", []string{"--prometheus-selector", `cluster="prod"`}, `headroom cost --prometheus-selector 'cluster="prod"'`},
		{"repeated", []string{"--request-metric", "a", "--request-metric", "b"}, "headroom cost --request-metric a --request-metric b"},
		{"a false boolean", []string{"--all-namespaces=false"}, "headroom cost --all-namespaces=false"},
		{"no credentials", []string{"--prometheus", "http://ops:s3cret@prom:9090", "--prometheus-password", "s3cret", "--prometheus-token", "t0k"},
			"headroom cost --prometheus http://prom:9090"},
		{"no outputs", []string{"--html", "r.html", "--json"}, "headroom cost"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &app{}
			root := &cobra.Command{Use: "headroom"}
			cmd := a.newCostCmd()
			root.AddCommand(cmd)
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			got := commandLine(cmd)
			if got != tc.want {
				t.Errorf("commandLine(%q) = %q; want %q", tc.args, got, tc.want)
			}
			if strings.Contains(got, "s3cret") || strings.Contains(got, "t0k") {
				t.Errorf("commandLine(%q) shows a credential", tc.args)
			}
		})
	}
}

// Package cli is headroom's command-line shell: commands, flags, files,
// environment, signals, stdio and exit codes. It is the only package that
// touches the file system and the environment; everything it calls is a
// value-in, value-out library package (or the load engine and the adapters).
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Stdio is the standard streams a command reads and writes.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// app carries what every command needs. There are no globals: tests build
// their own app through Run.
type app struct {
	stdio  Stdio
	getenv func(string) string
	now    func() time.Time
}

// Run executes the headroom command line args (without the program name)
// and returns the process exit code. Errors are printed once, on stderr, as
// "headroom <command>: <message>" with an optional "hint:" line.
func Run(ctx context.Context, args []string, stdio Stdio) int {
	a := &app{stdio: stdio, getenv: os.Getenv, now: time.Now}
	root := a.newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	name := "headroom"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, name) {
		msg = name + ": " + msg
	}
	fmt.Fprintln(stdio.Err, msg)
	if h := hintOf(err); h != "" {
		fmt.Fprintln(stdio.Err, "hint: "+h)
	}
	return exitCode(err)
}

func (a *app) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "headroom",
		Short: "Measure, model and decide the capacity and cost of a service on Kubernetes",
		Long: `headroom answers three questions about a service before and after a traffic spike:
will it survive, what must be provisioned, and where can cost be cut without
breaking the SLO.

  measure   load       open-model load tests with real traffic shapes
            capacity   find one replica's capacity knee within its SLO
  model     slo        SLO specs, error budgets and Prometheus alert rules
            import     write a System file from a cluster and its history
            traffic    export a traffic curve from Prometheus for replay shapes
  decide    sim        simulate a spike against the HPA, pod start-up and nodes
            review     a go/no-go readiness review of a System before a launch
            plan       the cheapest configuration that still meets the SLO
            cost       where the money goes, per workload and namespace
            rightsize  which requests and replicas are safe to cut
  report    report     re-render or merge load-test results
            demo       run the whole pipeline on a built-in sample system

Exit codes: 0 ok, 1 error, 2 usage or bad input, 3 verdict failed (an SLO was
missed or a threshold broken).`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Without a subcommand, print help (and succeed).
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("run `headroom --help` for the list of commands", "unknown command %q", args[0])
			}
			return cmd.Help()
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError(err, "run with --help to see the accepted flags")
	})
	root.CompletionOptions.HiddenDefaultCmd = true
	root.AddCommand(
		a.newVersionCmd(),
		a.newLoadCmd(),
		a.newReportCmd(),
		a.newCapacityCmd(),
		a.newSLOCmd(),
		a.newSimCmd(),
		a.newPlanCmd(),
		a.newCostCmd(),
		a.newRightsizeCmd(),
		a.newReviewCmd(),
		a.newImportCmd(),
		a.newTrafficCmd(),
		a.newDemoCmd(),
	)
	return root
}

// isTerminal reports whether w is an interactive terminal (for live progress).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

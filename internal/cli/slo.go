package cli

import "github.com/spf13/cobra"

func (a *app) newSLOCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "slo",
		Short: "Write Prometheus rules for SLOs and check error budgets",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

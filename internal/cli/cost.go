package cli

import "github.com/spf13/cobra"

func (a *app) newCostCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cost",
		Short: "Show the monthly cost per workload and namespace",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

package cli

import "github.com/spf13/cobra"

func (a *app) newPlanCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "plan",
		Short: "Find the cheapest configuration that still meets the SLO",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

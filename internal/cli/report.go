package cli

import "github.com/spf13/cobra"

func (a *app) newReportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report",
		Short: "Re-render or merge load-test result files",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

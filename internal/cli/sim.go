package cli

import "github.com/spf13/cobra"

func (a *app) newSimCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sim",
		Short: "Simulate traffic scenarios against a system file",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

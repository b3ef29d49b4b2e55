package cli

import "github.com/spf13/cobra"

func (a *app) newLoadCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "load",
		Short: "Run an open-model load test",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

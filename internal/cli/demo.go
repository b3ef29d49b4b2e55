package cli

import "github.com/spf13/cobra"

func (a *app) newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on a built-in sample system",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

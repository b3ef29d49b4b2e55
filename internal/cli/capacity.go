package cli

import "github.com/spf13/cobra"

func (a *app) newCapacityCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "capacity",
		Short: "Find one replica's capacity knee within its SLO",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

package cli

import "github.com/spf13/cobra"

func (a *app) newRightsizeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rightsize",
		Short: "Recommend safe cuts to requests and replicas",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotYet
		},
	}
}

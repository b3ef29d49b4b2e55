// Command headroom measures, models and decides the capacity and cost of a
// service on Kubernetes. See the README for the tour and `headroom --help`
// for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/headroom-sre/headroom/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal cancels ctx so commands stop cleanly and keep
		// what they measured; restoring the default lets a second one kill.
		<-ctx.Done()
		stop()
	}()
	os.Exit(cli.Run(ctx, os.Args[1:], cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

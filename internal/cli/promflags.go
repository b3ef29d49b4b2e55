package cli

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/internal/prom"
)

// promFlags say how to reach Prometheus. Unset flags fall back to the
// HEADROOM_PROMETHEUS_* environment variables; credentials are never
// printed, in output or in errors.
type promFlags struct {
	url, token, user, pass string
	timeout                time.Duration
	maxMiB                 int64
}

func (f *promFlags) register(fs *pflag.FlagSet, purpose string) {
	fs.StringVar(&f.url, "prometheus", "", "Prometheus URL "+purpose+", e.g. http://127.0.0.1:9090 (or "+envPrometheusURL+")")
	fs.StringVar(&f.token, "prometheus-token", "", "bearer token for Prometheus (or "+envPrometheusToken+"); never printed")
	fs.StringVar(&f.user, "prometheus-user", "", "basic-auth user for Prometheus (or "+envPrometheusUser+")")
	fs.StringVar(&f.pass, "prometheus-password", "", "basic-auth password for Prometheus (or "+envPrometheusPassword+"); never printed")
	fs.DurationVar(&f.timeout, "prometheus-timeout", 2*time.Minute, "timeout of each Prometheus query")
	fs.Int64Var(&f.maxMiB, "prometheus-max-mib", prom.DefaultMaxResponseBytes>>20, "largest Prometheus response accepted, in MiB")
}

// config resolves the flags and the environment into a client
// configuration; URL is empty when neither gives one.
func (f *promFlags) config(a *app, cmd *cobra.Command) prom.Config {
	changed := cmd.Flags().Changed
	pick := func(flag, value, env string) string {
		if changed(flag) {
			return value
		}
		return a.getenv(env)
	}
	return prom.Config{
		URL:         pick("prometheus", f.url, envPrometheusURL),
		BearerToken: pick("prometheus-token", f.token, envPrometheusToken),
		Username:    pick("prometheus-user", f.user, envPrometheusUser),
		Password:    pick("prometheus-password", f.pass, envPrometheusPassword),
		Timeout:     f.timeout,

		MaxResponseBytes: f.maxMiB << 20,
	}
}

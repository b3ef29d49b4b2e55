package clustergen_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/internal/clustergen"
)

// A day of history is enough to see the flash sale: its 20-minute daily
// peak sets the 99th percentile of 1-minute CPU use, while 5-minute means
// hide it.
func Example() {
	c := clustergen.Generate(clustergen.Options{Seed: 1, History: 26 * time.Hour})
	spiky := c.Truth.ByRole(clustergen.RoleSpiky)[0]
	app := spiky.Containers["app"]
	fmt.Printf("%s requests %.0f cores: peak %.2f, p99 of 1-minute use %.2f, p95 of 5-minute means %.2f\n",
		spiky.Key, app.CPURequest, app.CPUPeak, app.CPUP99, app.CPUP95Of5m)
	for _, w := range c.Truth.ByRole(clustergen.RoleQuiet) {
		fmt.Println(w.Key, "serves traffic:", w.HasTraffic)
	}
	idle := c.Truth.ByRole(clustergen.RoleIdle)[0]
	fmt.Println(idle.Key, "serves traffic:", idle.HasTraffic)
	fmt.Println(strings.HasPrefix(string(c.Snapshot), "apiVersion: v1\nitems:"), strings.HasSuffix(c.OpenMetrics, "# EOF\n"))
	// Output:
	// Deployment shop/flash-sale requests 2 cores: peak 1.81, p99 of 1-minute use 1.74, p95 of 5-minute means 0.07
	// Deployment payments/webhook serves traffic: true
	// Deployment shop/static-site serves traffic: true
	// Deployment tools/admin serves traffic: true
	// Deployment tools/legacy-reports serves traffic: false
	// true true
}

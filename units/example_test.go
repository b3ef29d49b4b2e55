package units_test

import (
	"fmt"
	"math"
	"time"

	"github.com/headroom-sre/headroom/units"
)

func Example() {
	fmt.Println(units.Duration(12*time.Minute + 41*time.Second))
	fmt.Println(units.Seconds(0.0123))
	fmt.Println(units.Percent(0.9995), units.Percent(0.0033))
	fmt.Println(units.Money(1234.56, "USD"), units.Money(18500, "JPY"))
	fmt.Println(units.Rate(1250), units.Count(12345))
	fmt.Println(units.CPU(0.25), units.Bytes(1.5*(1<<30)))
	fmt.Println(units.Percent(math.NaN()))
	// Output:
	// 12m41s
	// 12.3ms
	// 99.95% 0.33%
	// $1,234.56 ¥18,500
	// 1,250 req/s 12,345
	// 250m 1.5Gi
	// —
}

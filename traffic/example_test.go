package traffic_test

import (
	"fmt"
	"time"

	"github.com/headroom-sre/headroom/traffic"
)

// A TV spot: 50 req/s of normal traffic jumps to 1500 req/s over two
// minutes, holds for five and decays back with a 20-minute time constant.
func ExampleParse() {
	spike, err := traffic.Parse("spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, at := range []time.Duration{0, 2 * time.Minute, 5 * time.Minute, 28 * time.Minute} {
		fmt.Printf("T+%-7v %5.0f req/s\n", at, spike.Rate(at))
	}
	fmt.Printf("lasts %v, %.0f requests in all\n", spike.Duration(), spike.Total())
	// Output:
	// T+0s         50 req/s
	// T+2m0s      775 req/s
	// T+5m0s     1500 req/s
	// T+28m0s     583 req/s
	// lasts 1h28m0s, 2494131 requests in all
}

// A schedule turns a shape into due times, computed absolutely.
func ExampleSchedule() {
	c, _ := traffic.Constant(4, 1*time.Second)
	s := traffic.NewSchedule(c, traffic.Uniform, 0)
	for {
		seq, due, ok := s.Next()
		if !ok {
			break
		}
		fmt.Println(seq, due)
	}
	// Output:
	// 1 250ms
	// 2 500ms
	// 3 750ms
	// 4 1s
}

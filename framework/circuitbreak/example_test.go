package circuitbreak_test

import (
	"fmt"
	"time"

	"github.com/ternhq/tern/framework/circuitbreak"
	"github.com/ternhq/tern/framework/rpcerr"
)

func ExampleSet() {
	// Breakers for service methods: open when half of at least 20 calls in 10s fail.
	set := circuitbreak.NewSet(func(key string) circuitbreak.Config {
		return circuitbreak.Config{MinSamples: 20}
	})
	key := circuitbreak.MethodKey("cart", "stock", "Reserve")

	call := func() error { return rpcerr.New(rpcerr.CodeUnavailable, "connection refused") }
	for range 25 {
		if err := set.Allow(key); err != nil {
			fmt.Println(err)
			break
		}
		set.Record(key, call())
	}
	fmt.Println(set.State(key))
	// Output:
	// circuit_open: circuit breaker "cart/stock/Reserve" is open: 100% of 20 calls failed in the last 10s; calls refused for 5s
	// open
}

func ExampleWithClock() {
	now := time.Unix(0, 0)
	set := circuitbreak.NewSet(func(string) circuitbreak.Config {
		return circuitbreak.Config{MinSamples: 1, OpenFor: time.Second, HalfOpenProbes: 1}
	}, circuitbreak.WithClock(func() time.Time { return now }))

	set.Record("10.0.0.7:8888", rpcerr.New(rpcerr.CodeDeadlineExceeded, "timeout"))
	fmt.Println(set.State("10.0.0.7:8888"))
	now = now.Add(time.Second)
	fmt.Println(set.State("10.0.0.7:8888"), set.Allow("10.0.0.7:8888") == nil)
	set.Record("10.0.0.7:8888", nil)
	fmt.Println(set.State("10.0.0.7:8888"))
	// Output:
	// open
	// half-open true
	// closed
}

package limit_test

import (
	"errors"
	"fmt"

	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/rpcerr"
)

func ExampleLimits() {
	lim := limit.New(limit.Config{MaxConcurrency: 1})

	if err := lim.AcquireCall(); err == nil {
		defer lim.ReleaseCall()
	}
	err := lim.AcquireCall() // a second call while the first is in flight
	fmt.Println(err)
	fmt.Println(rpcerr.CodeOf(err), errors.Is(err, limit.ErrConcurrencyLimit))
	fmt.Println(lim.Stats().ConcurrencyRejected)
	// Output:
	// resource_exhausted: server concurrency limit 1 reached
	// resource_exhausted true
	// 1
}

package workers_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/workers"
)

func TestEveryTaskRunsOnce(t *testing.T) {
	var sum atomic.Int64
	var wg sync.WaitGroup
	p := workers.New(func(n int) { sum.Add(int64(n)); wg.Done() }, time.Second)
	const n = 10000
	wg.Add(n)
	for i := 1; i <= n; i++ {
		p.Go(i)
	}
	wg.Wait()
	if got, want := sum.Load(), int64(n*(n+1)/2); got != want {
		t.Fatalf("sum %d, want %d", got, want)
	}
}

// Workers are reused while busy and exit once idle.
func TestWorkersAreReusedThenExit(t *testing.T) {
	before := runtime.NumGoroutine()
	done := make(chan struct{})
	p := workers.New(func(ch chan struct{}) { ch <- struct{}{} }, 50*time.Millisecond)
	for range 100 { // one at a time: the same worker takes each
		p.Go(done)
		<-done
		time.Sleep(time.Millisecond) // let the worker get back to waiting
	}
	if n := runtime.NumGoroutine() - before; n > 2 {
		t.Fatalf("%d goroutines for sequential tasks, want one worker", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if runtime.NumGoroutine() > before {
		t.Fatal("idle workers did not exit")
	}
}

func TestGoAllocatesNothingWithAWaitingWorker(t *testing.T) {
	var wg sync.WaitGroup
	p := workers.New(func(*sync.WaitGroup) { wg.Done() }, time.Second)
	wg.Add(1)
	p.Go(&wg) // start a worker
	wg.Wait()
	allocs := testing.AllocsPerRun(1000, func() {
		wg.Add(1)
		p.Go(&wg)
		wg.Wait()
	})
	if allocs > 0.1 { // a worker is almost always waiting; a rare new goroutine is not an allocation per call
		t.Fatalf("%.2f allocations per task", allocs)
	}
}

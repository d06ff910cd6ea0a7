// Package workers runs tasks on goroutines that are reused: a task goes to a worker waiting for one,
// or to a new worker when all are busy, and a worker with nothing to do for a while exits. Starting a
// goroutine per call costs little, but each new goroutine grows its stack again as the call deepens
// (runtime.newstack showed up at 9–19% of a multiplexed server's CPU); a reused worker keeps its
// grown stack. Tasks are values of a type of the user's choosing, so handing one over allocates
// nothing.
package workers

import "time"

// Pool runs tasks of type T with one function.
type Pool[T any] struct {
	tasks chan T
	run   func(T)
	idle  time.Duration
}

// New returns a pool whose workers call run for each task and exit after idle without one.
func New[T any](run func(T), idle time.Duration) *Pool[T] {
	return &Pool[T]{tasks: make(chan T), run: run, idle: idle}
}

// Go runs run(task) on a waiting worker, or on a new one; it never blocks. run must not panic (a panic
// ends the process, as with the go statement).
func (p *Pool[T]) Go(task T) {
	select {
	case p.tasks <- task:
	default:
		go p.work(task)
	}
}

func (p *Pool[T]) work(task T) {
	p.run(task)
	idle := time.NewTimer(p.idle)
	defer idle.Stop()
	for {
		select {
		case task = <-p.tasks:
			p.run(task)
			idle.Reset(p.idle)
		case <-idle.C:
			return
		}
	}
}

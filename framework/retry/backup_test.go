package retry_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/retry"
	"github.com/ternhq/tern/framework/rpcerr"
)

const hedge = 10 * time.Millisecond // the backup delay in these tests

// behaviour is what one attempt of a scripted backup call does.
type behaviour struct {
	after time.Duration // how long it takes; 0 = at once
	err   error         // what it returns; ignored when hang is set
	hang  bool          // wait for the context to end, then return its error
}

// backupCall returns a call whose attempt i+1 behaves as bs[i] (attempts beyond bs hang), and a record
// of what happened.
func backupCall(bs ...behaviour) (func(context.Context, int) error, *backupLog) {
	rec := &backupLog{cancelled: make(map[int]bool)}
	return func(ctx context.Context, attempt int) error {
		rec.started.Add(1)
		b := behaviour{hang: true}
		if attempt <= len(bs) {
			b = bs[attempt-1]
		}
		if b.hang {
			<-ctx.Done()
			rec.mu.Lock()
			rec.cancelled[attempt] = true
			rec.mu.Unlock()
			return ctx.Err()
		}
		if b.after > 0 {
			select {
			case <-time.After(b.after):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return b.err
	}, rec
}

type backupLog struct {
	started   atomic.Int32
	mu        sync.Mutex
	cancelled map[int]bool // attempts that saw their context cancelled
}

func TestBackup(t *testing.T) {
	tests := []struct {
		name     string
		maxExtra int
		budget   *retry.Budget
		attempts []behaviour
		started  int
		code     rpcerr.Code
	}{
		{"fast first, no backup", 1, nil, []behaviour{{}}, 1, rpcerr.CodeOK},
		{"slow first, backup wins", 1, nil, []behaviour{{hang: true}, {}}, 2, rpcerr.CodeOK},
		{"slow first and backup, first wins", 1, nil, []behaviour{{after: 3 * hedge}, {hang: true}}, 2, rpcerr.CodeOK},
		{"second backup wins", 2, nil, []behaviour{{hang: true}, {hang: true}, {}}, 3, rpcerr.CodeOK},
		{"fast failure is not hedged", 1, nil, []behaviour{{err: errUnavailable}}, 1, rpcerr.CodeUnavailable},
		{"backup fails, first wins", 1, nil, []behaviour{{after: 3 * hedge}, {err: errUnavailable}}, 2, rpcerr.CodeOK},
		{"all fail: last error", 1, nil, []behaviour{{after: 3 * hedge, err: errBiz}, {err: errTimeout}}, 2, rpcerr.CodeUnknown},
		{"no budget, no backup", 1, retry.NewBudget(0, 0), []behaviour{{after: 3 * hedge}}, 1, rpcerr.CodeOK},
		{"no extra allowed", 0, nil, []behaviour{{after: 3 * hedge}}, 1, rpcerr.CodeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, rec := backupCall(tt.attempts...)
			err := retry.Backup(testCtx(t), hedge, tt.maxExtra, tt.budget, call)
			if rpcerr.CodeOf(err) != tt.code || int(rec.started.Load()) != tt.started {
				t.Fatalf("error %v after %d attempts; want code %v after %d", err, rec.started.Load(), tt.code, tt.started)
			}
			if err != nil && tt.started > 1 && retry.Attempts(err) != tt.started {
				t.Errorf("Attempts(%q) = %d, want %d", err, retry.Attempts(err), tt.started)
			}
		})
	}
}

func TestBackupCancelsLosers(t *testing.T) {
	call, rec := backupCall(behaviour{hang: true}, behaviour{hang: true}, behaviour{after: time.Millisecond})
	if err := retry.Backup(testCtx(t), hedge, 2, nil, call); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		rec.mu.Lock()
		done := rec.cancelled[1] && rec.cancelled[2]
		rec.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the losing attempts' contexts were not cancelled")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBackupStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(testCtx(t), 3*hedge)
	defer cancel()
	call, rec := backupCall() // every attempt hangs
	start := time.Now()
	err := retry.Backup(ctx, hedge, 5, nil, call)
	if rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want deadline exceeded", err)
	}
	// Attempts start at 0, 10, 20 (and perhaps 30) ms.
	if got := retry.Attempts(err); got < 2 || got > 4 || int(rec.started.Load()) > got {
		t.Errorf("Attempts(err) = %d, %d started; want 3 or 4 attempts", got, rec.started.Load())
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("returned after %v, want at the 30ms deadline", elapsed)
	}
}

func TestBackupLeaksNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			bs := []behaviour{{hang: true}, {after: time.Millisecond}, {hang: true}}
			if i%2 == 0 {
				bs = []behaviour{{after: 2 * hedge}, {hang: true}, {err: errUnavailable}}
			}
			call, _ := backupCall(bs...)
			if err := retry.Backup(ctx, hedge, 2, nil, call); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after", before, runtime.NumGoroutine())
		}
		time.Sleep(time.Millisecond)
	}
}

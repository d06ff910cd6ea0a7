package live_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/live"
)

type thing struct {
	name string
	open bool
}

func TestSetOrderFilterAndCollection(t *testing.T) {
	var s live.Set[thing]
	a, b, c := &thing{"a", true}, &thing{"b", false}, &thing{"c", true}
	s.Add(a)
	s.Add(b)
	s.Add(c)
	got := s.All(func(v *thing) bool { return v.open })
	if len(got) != 2 || got[0] != a || got[1] != c {
		t.Fatalf("All = %v, want a, c in creation order", got)
	}
	runtime.KeepAlive(b)
	s.Add(&thing{"gone", true}) // unreachable from here on
	for deadline := time.Now().Add(5 * time.Second); ; {
		runtime.GC()
		if n := len(s.All(func(*thing) bool { return true })); n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a collected value is still tracked")
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
}

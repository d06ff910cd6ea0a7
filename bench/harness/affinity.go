package harness

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Placement is how the client and the server share the machine's CPUs.
type Placement struct {
	// ClientCPUs and ServerCPUs are the CPUs each side is pinned to; both nil when not pinned.
	ClientCPUs, ServerCPUs []int
	// Procs is GOMAXPROCS on each side.
	Procs int
}

// Pinned reports whether the two sides run on separate CPUs.
func (p Placement) Pinned() bool { return len(p.ServerCPUs) > 0 }

// String describes the placement for the report.
func (p Placement) String() string {
	if !p.Pinned() {
		return fmt.Sprintf("not pinned (fewer than 2 CPUs available), GOMAXPROCS=%d on each side", p.Procs)
	}
	return fmt.Sprintf("client on CPU %s, server on CPU %s, GOMAXPROCS=%d on each side",
		cpuList(p.ClientCPUs), cpuList(p.ServerCPUs), p.Procs)
}

// planPlacement splits the CPUs this process may run on in two halves, the client taking the first.
func planPlacement() Placement {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil || set.Count() < 2 {
		return Placement{Procs: 1}
	}
	var cpus []int
	for i := 0; len(cpus) < set.Count() && i < 1024; i++ {
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	half := len(cpus) / 2
	return Placement{ClientCPUs: cpus[:half], ServerCPUs: cpus[half : 2*half], Procs: half}
}

// pinProcess pins every thread of this process to cpus; threads started later inherit the mask from
// the thread that starts them. It goes over the threads twice, to catch any started meanwhile.
func pinProcess(cpus []int) error {
	if len(cpus) == 0 {
		return nil
	}
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("pin to CPU %s: %w", cpuList(cpus), err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
				return fmt.Errorf("pin thread %d to CPU %s: %w", tid, cpuList(cpus), err)
			}
		}
	}
	return nil
}

// cpuList formats CPUs as "0,1".
func cpuList(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}

// parseCPUList reads what cpuList wrote.
func parseCPUList(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var cpus []int
	for _, f := range strings.Split(s, ",") {
		c, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("bad CPU list %q: %w", s, err)
		}
		cpus = append(cpus, c)
	}
	return cpus, nil
}

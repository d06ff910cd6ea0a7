package harness

import "golang.org/x/sys/unix"

// syscallRusage is the part of rusage the harness uses: CPU time in nanoseconds and context switches.
type syscallRusage struct{ user, sys, ctxsw int64 }

// getrusage reads the CPU time of the whole process (all threads).
func getrusage(out *syscallRusage) error {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	out.user = ru.Utime.Nano()
	out.sys = ru.Stime.Nano()
	out.ctxsw = ru.Nvcsw + ru.Nivcsw
	return nil
}

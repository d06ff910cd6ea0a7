// Package netpoll is Tern's default connection implementation, built on CloudWeGo netpoll: Dial opens
// client connections, and the package's server side serves accepted ones on the same pollers. netpoll's
// connections are transport.Conn values as they are, with no adapter in between.
//
// # Pollers
//
// netpoll serves every connection of the process from a fixed set of poller goroutines (epoll/kqueue
// loops). Its own default is GOMAXPROCS/20+1, which is one poller on anything below 20 cores; a single
// poller then has to wake every reader of every connection and becomes the bottleneck under load.
// Importing this package sets the count once, in init, before any connection can exist:
//
//	pollers = max(2, GOMAXPROCS/4)
//
// that is 2 pollers up to 11 Ps, 4 on 16, 8 on 32 (DefaultPollerNum explains the choice). The
// environment variable TERN_NETPOLL_POLLERS overrides it with a positive integer; a value that is not
// one is ignored, as the Go runtime ignores a malformed GOMAXPROCS. PollerNum reports the count in force.
//
// Programs that configure netpoll themselves can still call netpoll.Configure in their own init: it runs
// after this package's init and wins, as long as no connection has been created yet.
package netpoll

import (
	"os"
	"runtime"
	"strconv"
	"strings"

	cwnetpoll "github.com/cloudwego/netpoll"

	"github.com/ternhq/tern/framework/transport"
)

// PollersEnv names the environment variable that overrides the number of netpoll pollers.
const PollersEnv = "TERN_NETPOLL_POLLERS"

// The connections netpoll creates are transport.Conn values without any adapter. Note that it is the
// concrete types that qualify: the netpoll.Connection interface type itself reaches Next, Flush and the
// like only through its Reader() and Writer() methods, so code holding a netpoll.Connection (an event
// loop's callbacks, say) converts it with a type assertion, conn.(transport.Conn), which always succeeds.
var (
	_ transport.Conn = (*cwnetpoll.TCPConnection)(nil)
	_ transport.Conn = (*cwnetpoll.UnixConnection)(nil)
)

// pollerNum is the count this package configured at init.
var pollerNum int

func init() {
	pollerNum = pollersFor(os.Getenv(PollersEnv), runtime.GOMAXPROCS(0))
	// Configure only fails for a count below one, which pollersFor never returns.
	if err := cwnetpoll.Configure(cwnetpoll.Config{PollerNum: pollerNum}); err != nil {
		panic("tern/transport/netpoll: configure pollers: " + err.Error())
	}
}

// DefaultPollerNum is the poller count used when TERN_NETPOLL_POLLERS is unset: max(2, gomaxprocs/4),
// that is 2 up to 11 Ps, 4 at 16, 8 at 32.
//
// Why: with netpoll's own default (one poller below 20 Ps) every read event of the process goes through
// one goroutine, which caps throughput on larger machines; a public netpoll echo test on an 8-core /
// 16-thread CPU went from about 220k to 460k requests/s when the pollers were raised from 1 to 16
// (cloudwego/netpoll issue #392). An RPC server does most of its work in handlers, not in the pollers,
// so one poller per 4 Ps is taken as enough to keep the loops from being the bottleneck while leaving the
// Ps to the handlers. On small machines the count hardly matters: BenchmarkEchoPingPong (loopback,
// netpoll on both ends, 64 connections, 64-byte ping-pong) on 2 cores measured the same CPU time per
// round trip within noise with 1, 2 and 4 pollers (about 23, 23 and 21 µs on a shared VM); the floor of
// 2 keeps one busy loop from delaying every other connection. Larger machines were not measured here;
// tune with TERN_NETPOLL_POLLERS and that benchmark.
func DefaultPollerNum(gomaxprocs int) int {
	return max(2, gomaxprocs/4)
}

// PollerNum reports the number of netpoll pollers this package configured at init (a later
// netpoll.Configure by the program itself is not reflected).
func PollerNum() int {
	return pollerNum
}

// pollersFor returns the poller count for an environment value and a GOMAXPROCS.
func pollersFor(env string, gomaxprocs int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env)); err == nil && n > 0 {
		return n
	}
	return DefaultPollerNum(gomaxprocs)
}

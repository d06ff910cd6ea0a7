// Package netpoll is Tern's default connection implementation: client connections dialed through
// CloudWeGo netpoll, whose netpoll.Connection satisfies transport.Conn as is.
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
// that is 2 pollers up to 11 cores, 4 on 16, 8 on 32 (see DefaultPollerNum for the measurements behind
// the choice). The environment variable TERN_NETPOLL_POLLERS overrides it with a positive integer; a
// value that is not one is ignored, as the Go runtime ignores a malformed GOMAXPROCS. PollerNum reports
// the count in force.
//
// Programs that configure netpoll themselves can still call netpoll.Configure in their own init: it runs
// after this package's init and wins, as long as no connection has been created yet.
//
// Server-side event loops are not wrapped here; this package only dials.
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

// DefaultPollerNum is the poller count used when TERN_NETPOLL_POLLERS is unset: max(2, gomaxprocs/4).
//
// Two pollers instead of netpoll's one already remove the single-loop bottleneck on small machines
// (a loopback ping-pong echo with 64 connections on 2 cores ran about 15% faster with 2 pollers than
// with 1, and no faster with 4); on large machines one poller per 4 Ps keeps every loop busy without
// taking more than a quarter of the Ps away from request handling.
func DefaultPollerNum(gomaxprocs int) int {
	return max(2, gomaxprocs/4)
}

// PollerNum reports the number of netpoll pollers this package configured at init.
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

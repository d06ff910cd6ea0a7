package netpoll

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	cwnetpoll "github.com/cloudwego/netpoll"

	"github.com/ternhq/tern/framework/transport"
)

// Dial opens a netpoll connection to addr on network ("tcp", "tcp4", "tcp6" or "unix").
//
// The dial gives up at the earlier of ctx's deadline and timeout (zero timeout: ctx alone bounds it) and
// as soon as ctx is cancelled. Errors are *net.OpError values that read like the standard library's,
// for example "dial tcp 127.0.0.1:1: connect: connection refused"; a dial that ran out of time reports
// "i/o timeout", is a net.Error whose Timeout() is true, and matches context.DeadlineExceeded with
// errors.Is. A host name is resolved first and its addresses are tried in turn within the same time
// limit. Unix sockets connect at once or fail, so for them ctx is only checked up front. Dial fits
// connpool.Dialer.
func Dial(ctx context.Context, network, addr string, timeout time.Duration) (transport.Conn, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return nil, dialError(network, addr, nil, ctxError(err))
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
		return dialTCP(ctx, network, addr)
	case "unix":
		c, err := cwnetpoll.DialUnix(network, nil, &cwnetpoll.UnixAddr{UnixAddr: net.UnixAddr{Name: addr, Net: network}})
		if err != nil {
			return nil, err
		}
		return c, nil
	default:
		return nil, dialError(network, addr, nil, net.UnknownNetworkError(network))
	}
}

// dialTCP resolves addr and connects to its addresses in turn, returning the first success or the first
// address's error.
func dialTCP(ctx context.Context, network, addr string) (transport.Conn, error) {
	ips, port, err := resolveTCP(ctx, network, addr)
	if err != nil {
		return nil, dialError(network, addr, nil, err)
	}
	var firstErr error
	for _, ip := range ips {
		raddr := &cwnetpoll.TCPAddr{TCPAddr: net.TCPAddr{IP: ip.IP, Port: port, Zone: ip.Zone}}
		netw := "tcp"
		if ip.IP.To4() == nil {
			netw = "tcp6"
		}
		c, err := cwnetpoll.DialTCP(ctx, netw, nil, raddr)
		if err == nil {
			return c, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, dialError(network, addr, &raddr.TCPAddr, ctxError(ctxErr))
		}
		if errors.Is(err, cwnetpoll.ErrConnClosed) {
			err = connectCause(ctx, netw, &raddr.TCPAddr, err)
		}
		if firstErr == nil {
			firstErr = retag(err, network)
		}
	}
	return nil, firstErr
}

// connectCause finds out why a connect failed when netpoll could only say that the socket hung up
// ("connection has been closed by peer"): its poller sees the reset or ICMP error as a hang-up and never
// reads the socket error. One connect attempt through the standard library, on this rare failure path
// only, recovers the operating system's reason (connection refused, no route to host, ...). If that
// attempt succeeds, the peer came up in between and netpoll's error is kept.
func connectCause(ctx context.Context, network string, raddr *net.TCPAddr, npErr error) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, raddr.String())
	if err != nil {
		return err
	}
	_ = c.Close()
	return npErr
}

// resolveTCP splits addr and resolves its host (skipping the resolver for IP literals) and port.
func resolveTCP(ctx context.Context, network, addr string) ([]net.IPAddr, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, 0, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		if port, err = net.DefaultResolver.LookupPort(ctx, network, portStr); err != nil {
			return nil, 0, err
		}
	}
	var ips []net.IPAddr
	switch ip, perr := netip.ParseAddr(host); {
	case host == "":
		ips = []net.IPAddr{{IP: net.IPv4zero}, {IP: net.IPv6unspecified}} // this host
	case perr == nil:
		ips = []net.IPAddr{{IP: ip.AsSlice(), Zone: ip.Zone()}}
	default:
		if ips, err = net.DefaultResolver.LookupIPAddr(ctx, host); err != nil {
			return nil, 0, err
		}
	}
	if network != "tcp" {
		ips = filterFamily(ips, network == "tcp4")
	}
	if len(ips) == 0 {
		return nil, 0, &net.AddrError{Err: "no suitable address found", Addr: addr}
	}
	return ips, port, nil
}

// filterFamily keeps the IPv4 (v4 true) or IPv6 addresses of ips.
func filterFamily(ips []net.IPAddr, v4 bool) []net.IPAddr {
	kept := ips[:0]
	for _, ip := range ips {
		if (ip.IP.To4() != nil) == v4 {
			kept = append(kept, ip)
		}
	}
	return kept
}

// retag makes a netpoll dial error name the network the caller asked for.
func retag(err error, network string) error {
	var op *net.OpError
	if errors.As(err, &op) {
		cp := *op
		cp.Net = network
		return &cp
	}
	return err
}

// dialError builds the *net.OpError Dial returns; raddr may be nil when addr was not resolved.
func dialError(network, addr string, raddr net.Addr, err error) error {
	if raddr == nil {
		raddr = unresolvedAddr{network: network, addr: addr}
	}
	return &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: err}
}

// ctxError maps a context error to the error a dial reports for it.
func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return timeoutError{}
	}
	return err
}

// timeoutError is the cause of a dial that ran out of time.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// Is lets errors.Is match the standard deadline errors.
func (timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded || target == os.ErrDeadlineExceeded
}

// unresolvedAddr names a dial target in an error before (or without) resolving it.
type unresolvedAddr struct{ network, addr string }

func (a unresolvedAddr) Network() string { return a.network }
func (a unresolvedAddr) String() string  { return a.addr }

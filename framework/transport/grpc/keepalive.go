package grpc

import (
	"errors"
	"time"

	"golang.org/x/net/http2"
)

// keepaliveData is the payload of this side's keepalive PINGs, so that their acks are told apart from
// the acks of anyone else's pings.
var keepaliveData = [8]byte{'t', 'e', 'r', 'n', 'k', 'a', 'l', 'v'}

var errKeepaliveTimeout = errors.New("grpc: keepalive ping not answered: connection dead")

// keepalive pings the peer whenever nothing has arrived from it for cfg.KeepaliveTime, and closes the
// connection when a ping goes unanswered for cfg.KeepaliveTimeout: a peer that vanished (a crashed
// host, a dropped NAT entry) is noticed instead of hanging calls until the kernel gives up.
func (c *conn) keepalive() {
	t := time.NewTimer(c.cfg.KeepaliveTime)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		if c.activity.Swap(false) { // frames arrived during the last period: the peer is alive
			t.Reset(c.cfg.KeepaliveTime)
			continue
		}
		c.queue(func(fr *http2.Framer) error { return fr.WritePing(false, keepaliveData) })
		wait := time.NewTimer(c.cfg.KeepaliveTimeout)
		select {
		case <-c.done:
			wait.Stop()
			return
		case <-c.pingAck:
			wait.Stop()
			t.Reset(c.cfg.KeepaliveTime)
		case <-wait.C:
			c.close(errKeepaliveTimeout)
			return
		}
	}
}

// onPingAck takes the ack of a PING this side sent.
func (c *conn) onPingAck(data [8]byte) {
	if data != keepaliveData {
		return
	}
	select {
	case c.pingAck <- struct{}{}:
	default:
	}
}

// startKeepalive starts pinging when the configuration asks for it.
func (c *conn) startKeepalive() {
	if c.cfg.KeepaliveTime > 0 {
		go c.keepalive()
	}
}

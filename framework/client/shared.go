package client

import (
	"context"
	"sync"

	"github.com/ternhq/tern/framework/rpcerr"
)

// sharedPool is what the pools of connections that calls share (multiplexed TTHeader, gRPC) have in
// common: the lock over their slots, and whether the client is closed.
type sharedPool struct {
	mu     sync.Mutex
	closed bool
}

// sharedSlot holds one shared connection, or the dial that will provide it; the pool's lock guards it.
type sharedSlot[C comparable] struct {
	conn    C             // the zero value when there is none
	dialing chan struct{} // closed when the dial under way ends
	dialErr error         // the result of the last dial, for the calls that waited on it
}

func errClientClosed() error { return rpcerr.New(rpcerr.CodeCanceled, "client closed") }

// acquire returns the connection of the slot slotOf finds (called with p.mu held) when usable says it
// may take calls, and otherwise dials one; calls that find a dial under way wait for it rather than
// dialling too. The dial serves every call waiting on it, so one caller's cancellation does not end it
// (dial must bound it itself). fresh reports a connection this call dialled; a connection dialled
// while the client closed is handed to discard.
func acquire[C comparable](ctx context.Context, p *sharedPool, slotOf func() *sharedSlot[C], usable func(C) bool,
	dial func(context.Context) (C, error), discard func(C),
) (conn C, fresh bool, err error) {
	var none C
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return none, false, errClientClosed()
		}
		slot := slotOf()
		if c := slot.conn; c != none && usable(c) {
			p.mu.Unlock()
			return c, false, nil
		}
		if ch := slot.dialing; ch != nil {
			p.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return none, false, ctx.Err()
			}
			p.mu.Lock()
			if slot.conn == none && slot.dialErr != nil {
				err := slot.dialErr
				p.mu.Unlock()
				return none, false, err
			}
			continue
		}
		ch := make(chan struct{})
		slot.dialing, slot.conn = ch, none
		p.mu.Unlock()
		c, err := dial(context.WithoutCancel(ctx))
		p.mu.Lock()
		slot.dialing, slot.dialErr = nil, err
		close(ch)
		if err != nil {
			p.mu.Unlock()
			return none, false, err
		}
		if p.closed {
			p.mu.Unlock()
			discard(c)
			return none, false, errClientClosed()
		}
		slot.conn = c
		p.mu.Unlock()
		return c, true, nil
	}
}

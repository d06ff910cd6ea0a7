package grpc

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

// stream is one HTTP/2 stream of a call. The connection's reader appends received DATA to its receive
// buffer; the call's goroutines read messages from it and send on it.
//
// Flow control: the peer may send recvWindow more bytes. Bytes return to its window only once the
// application has read them (recvMsg), so a slow reader holds back the sender and the buffer never
// exceeds the stream window.
type stream struct {
	id uint32
	c  *conn

	// guarded by c.mu
	sendWindow int64
	sendClosed bool // no more DATA may be sent (ended, reset, or the connection is gone)
	counted    bool // server: counts against MaxConcurrentStreams

	notify      chan struct{} // signalled whenever the receive side changes
	headerReady chan struct{} // made by the first Header call: closed once headersArrived is set

	mu             sync.Mutex
	chunks         [][]byte // received DATA; chunks[first:] are not read yet
	chunkArr       [2][]byte
	rx             rxParser // where the received bytes stand in the message framing
	first          int
	head           int   // bytes of chunks[first] already read
	buffered       int   // unread bytes in chunks
	recvWindow     int64 // bytes the peer may send before our next WINDOW_UPDATE
	unacked        int64 // bytes read (or discarded) but not yet returned to the peer's window
	remoteEnded    bool  // the peer sent END_STREAM
	finished       bool  // the call is over; later failures are ignored
	err            error // terminal error: reset, connection failure or malformed message
	gotHeaders     bool
	headersArrived bool        // the response headers, or the end, arrived (client)
	header         metadata.MD // received headers: a server's request metadata, a client's response headers
	trailer        metadata.MD // client: received trailers
	encoding       string      // grpc-encoding of received messages
	status         error       // client: the server's status once the trailers arrived (nil for OK)
	cancel         context.CancelFunc
	deadline       time.Time // client: the call's deadline, if any
}

func newStream(c *conn, id uint32, sendWindow int64) *stream {
	st := &stream{
		id: id, c: c, sendWindow: sendWindow,
		notify:     make(chan struct{}, 1),
		recvWindow: int64(c.cfg.InitialWindowSize),
	}
	st.chunks = st.chunkArr[:0]
	return st
}

// newClientStream returns a client's stream.
func newClientStream(c *conn, id uint32, sendWindow int64) *stream {
	return newStream(c, id, sendWindow)
}

func (st *stream) signal() {
	select {
	case st.notify <- struct{}{}:
	default:
	}
}

// headersDone records that the response headers, or the end of the stream, arrived.
func (st *stream) headersDone() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.headersArrived {
		st.headersArrived = true
		if st.headerReady != nil {
			close(st.headerReady)
		}
	}
}

// headerWait returns a channel closed once the response headers, or the end, arrived; it is made on
// demand, as most calls never ask.
func (st *stream) headerWait() <-chan struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.headerReady == nil {
		st.headerReady = make(chan struct{})
		if st.headersArrived {
			close(st.headerReady)
		}
	}
	return st.headerReady
}

// push adds a DATA frame's payload (frameLen counts padding too); called by the reader. It returns a
// non-zero code for a stream error.
func (st *stream) push(data []byte, frameLen int, end bool) (http2.ErrCode, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.remoteEnded {
		return http2.ErrCodeStreamClosed, "DATA after END_STREAM"
	}
	if st.recvWindow -= int64(frameLen); st.recvWindow < 0 {
		return http2.ErrCodeFlowControl, "stream receive window exceeded"
	}
	discard := frameLen - len(data)
	if st.err == nil && len(data) > 0 {
		st.appendLocked(data)
		st.buffered += len(data)
	} else {
		discard = frameLen
	}
	if discard > 0 {
		st.consumedLocked(discard)
	}
	if end {
		st.remoteEnded = true
	}
	st.signal()
	return 0, ""
}

// appendLocked copies received bytes into the buffer: into the spare room of the last chunk, which
// was made the size of the message under way, and else into a new chunk with room for the rest of
// that message. A message thus arrives in one piece that read hands out without a second copy. Bytes
// are only ever added past a chunk's length, so the slices read returned (capacity-limited) never
// change.
func (st *stream) appendLocked(data []byte) {
	if n := len(st.chunks); n > st.first {
		last := st.chunks[n-1]
		k := min(cap(last)-len(last), len(data))
		st.chunks[n-1] = append(last, data[:k]...)
		st.rx.track(data[:k])
		data = data[k:]
	}
	if len(data) == 0 {
		return
	}
	st.rx.track(data)
	// Room for the rest of the message, up to a bound that flow control guarantees to fill (read waits
	// for a message to complete in its chunk, so the chunk must never need window credit that is only
	// returned once it is read) and that keeps a peer announcing large messages it never sends from
	// making us reserve much memory per stream.
	room := min(st.rx.bodyLeft, maxReserve, int(st.c.cfg.InitialWindowSize)/2-len(data))
	chunk := make([]byte, len(data), len(data)+max(room, 0))
	copy(chunk, data)
	st.chunks = append(st.chunks, chunk)
}

// maxReserve bounds the room reserved in a chunk for bytes still to come.
const maxReserve = 64 << 10

// rxParser follows the gRPC message framing (a 5-byte prefix with the length, then the message) over
// the received bytes, to know how much of the message under way is still to come.
type rxParser struct {
	prefix   [prefixLen]byte
	inPrefix int // prefix bytes seen of the next message
	bodyLeft int // bytes of the current message still to come
}

func (p *rxParser) track(b []byte) {
	for len(b) > 0 {
		if p.bodyLeft > 0 {
			k := min(p.bodyLeft, len(b))
			p.bodyLeft -= k
			b = b[k:]
			continue
		}
		k := copy(p.prefix[p.inPrefix:], b)
		p.inPrefix += k
		b = b[k:]
		if p.inPrefix == prefixLen {
			p.inPrefix = 0
			p.bodyLeft = int(binary.BigEndian.Uint32(p.prefix[1:]))
		}
	}
}

// consumedLocked returns n read bytes to the peer's window, in batches of a quarter window.
func (st *stream) consumedLocked(n int) {
	st.unacked += int64(n)
	if st.unacked < int64(st.c.cfg.InitialWindowSize)/4 || st.remoteEnded || st.err != nil {
		return
	}
	inc, id := st.unacked, st.id
	st.recvWindow += inc
	st.unacked = 0
	st.c.queue(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(id, uint32(inc)) })
}

// advanceLocked drops n read bytes from the front of the buffer.
func (st *stream) advanceLocked(n int) {
	st.head += n
	st.buffered -= n
	if st.head == len(st.chunks[st.first]) {
		st.chunks[st.first] = nil
		st.first++
		st.head = 0
		if st.first == len(st.chunks) { // empty: reuse the slice from its start
			st.chunks, st.first = st.chunks[:0], 0
		}
	}
	st.consumedLocked(n)
}

// frontLocked returns the unread bytes of the first chunk.
func (st *stream) frontLocked() []byte {
	if st.first == len(st.chunks) {
		return nil
	}
	return st.chunks[st.first][st.head:]
}

// read returns the next n received bytes, waiting for them until ctx ends. A clean end of the stream
// before the first byte gives io.EOF when atBoundary is set. Bytes within one DATA frame are returned
// without copying.
func (st *stream) read(ctx context.Context, n int, atBoundary bool) ([]byte, error) {
	if n == 0 {
		return nil, nil // an empty message
	}
	var out []byte
	got := 0
	for {
		ctxErr := ctx.Err() // before the state: a call ends its stream before cancelling its context
		st.mu.Lock()
		if st.err != nil {
			err := st.err
			st.mu.Unlock()
			return nil, err
		}
		front := st.frontLocked()
		if got == 0 && len(front) >= n {
			st.advanceLocked(n)
			st.mu.Unlock()
			return front[:n:n], nil
		}
		// The rest of the message arrives into the same chunk (see appendLocked): wait for it there.
		inPlace := got == 0 && st.first == len(st.chunks)-1 && cap(front) >= n
		for !inPlace && got < n && st.buffered > 0 {
			if out == nil {
				out = make([]byte, n)
			}
			k := copy(out[got:], st.frontLocked())
			st.advanceLocked(k)
			got += k
		}
		ended, partial := st.remoteEnded, st.buffered > 0
		st.mu.Unlock()
		switch {
		case got == n:
			return out, nil
		case ended && got == 0 && !partial && atBoundary:
			return nil, io.EOF
		case ended:
			return nil, rpcerr.New(rpcerr.CodeInternal, "grpc: stream ended inside a message")
		case ctxErr != nil:
			return nil, ctxError(ctxErr)
		}
		select {
		case <-st.notify:
		case <-ctx.Done():
		}
	}
}

// recvMsg reads the next message, decompressed; io.EOF means the peer ended its side cleanly. Errors
// other than io.EOF are sticky: the stream cannot be read further.
func (st *stream) recvMsg(ctx context.Context) ([]byte, error) {
	hdr, err := st.read(ctx, prefixLen, true)
	if err != nil {
		if err == io.EOF {
			return nil, err
		}
		return nil, st.setErr(err)
	}
	flag, n := hdr[0], binary.BigEndian.Uint32(hdr[1:prefixLen])
	max := st.c.cfg.MaxRecvMsgSize
	switch {
	case flag > 1:
		return nil, st.setErr(rpcerr.Errorf(rpcerr.CodeInternal, "grpc: invalid message flag %d", flag))
	case uint64(n) > uint64(max):
		return nil, st.setErr(rpcerr.Errorf(rpcerr.CodeResourceExhausted,
			"grpc: received message larger than max (%d vs. %d)", n, max))
	}
	body, err := st.read(ctx, int(n), false)
	if err != nil {
		return nil, st.setErr(err)
	}
	if flag == 0 {
		return body, nil
	}
	st.mu.Lock()
	enc := st.encoding
	st.mu.Unlock()
	if body, err = decodeMessage(body, enc, max); err != nil {
		return nil, st.setErr(err)
	}
	return body, nil
}

// setErr makes err the stream's terminal error unless it already has one, and returns the terminal
// error.
func (st *stream) setErr(err error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err == nil {
		st.err = err
		st.chunks, st.first, st.buffered, st.head = nil, 0, 0, 0
	}
	return st.err
}

// fail ends the stream with err, stops its sending side and cancels a server handler's context. It
// reports false, doing nothing, when the call was already over.
func (st *stream) fail(err error) bool {
	st.mu.Lock()
	if st.finished {
		st.mu.Unlock()
		return false
	}
	st.finished = true
	if st.err == nil {
		st.err = err
		st.chunks, st.first, st.buffered, st.head = nil, 0, 0, 0
	}
	cancel := st.cancel
	st.mu.Unlock()
	st.c.mu.Lock()
	st.sendClosed = true
	st.c.cond.Broadcast()
	st.c.mu.Unlock()
	st.signal()
	st.headersDone()
	if cancel != nil {
		cancel()
	}
	return true
}

// terminalErr returns the stream's terminal error, or nil.
func (st *stream) terminalErr() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.err
}

// resetError maps a received RST_STREAM code to st's error, as the gRPC spec asks. A cancellation
// arriving after the client's own deadline passed is reported as DeadlineExceeded: the server most
// likely reset the stream because that deadline expired.
func (st *stream) resetError(code http2.ErrCode) error {
	if code == http2.ErrCodeCancel && !st.deadline.IsZero() && !st.deadline.After(time.Now()) {
		return rpcerr.New(rpcerr.CodeDeadlineExceeded, "grpc: stream reset by the peer after the deadline")
	}
	return resetError(code)
}

// ErrRefused is reachable (errors.Is) from the error of every call the server refused before
// processing it: a stream reset with REFUSED_STREAM, or one above the last stream id of a GOAWAY. Such
// a call is safe to send again, to another connection.
var ErrRefused = errors.New("grpc: stream refused before processing")

// refusedError is the Unavailable error of a refused call.
type refusedError string

func (e refusedError) Error() string      { return string(e) }
func (refusedError) Is(target error) bool { return target == ErrRefused }

func refused(msg string) error { return rpcerr.Wrap(rpcerr.CodeUnavailable, refusedError(msg)) }

// resetError maps a received RST_STREAM code to an error, as the gRPC spec asks.
func resetError(code http2.ErrCode) error {
	switch code {
	case http2.ErrCodeRefusedStream:
		return refused("grpc: stream refused by the server")
	case http2.ErrCodeCancel:
		return rpcerr.New(rpcerr.CodeCanceled, "grpc: stream cancelled by the peer")
	case http2.ErrCodeEnhanceYourCalm:
		return rpcerr.New(rpcerr.CodeResourceExhausted, "grpc: peer asked to enhance your calm")
	case http2.ErrCodeInadequateSecurity:
		return rpcerr.New(rpcerr.CodePermissionDenied, "grpc: inadequate security")
	}
	return rpcerr.Errorf(rpcerr.CodeInternal, "grpc: stream reset by the peer: %v", code)
}

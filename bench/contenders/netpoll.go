package contenders

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/cloudwego/netpoll"
)

// The raw netpoll echo: the floor under every framework. The client sends the frame a Tern Thrift
// client sends for Echo (a TTHeader frame holding the Thrift call) and the server, decoding nothing
// past the frame length, writes the same bytes back with the message type turned into a reply. Each
// worker owns one connection, as pooled clients do.

func init() {
	register(&Contender{Name: "netpoll-raw", Group: GroupUnary,
		Desc:  "netpoll v0.7.2 echo of the TTHeader Thrift frame, a connection per worker (the floor)",
		Serve: serveNetpoll, Dial: dialNetpoll})
}

// ttheaderEchoFrame returns a TTHeader frame (strict Thrift binary call of Echo with seqid seq, string
// key isn=Echo, int key 9=Echo) whose args struct carries a Request of msg.
func ttheaderEchoFrame(msg string, seq int32) []byte {
	var info []byte
	info = append(info, 0x00, 0x00)                                              // protocol id, no transforms
	info = append(info, 0x01, 0x00, 0x01, 0x00, 0x03, 'i', 's', 'n', 0x00, 0x04) // string KVs: isn
	info = append(info, "Echo"...)
	info = append(info, 0x10, 0x00, 0x01, 0x00, 0x09, 0x00, 0x04) // int KVs: 9 (method)
	info = append(info, "Echo"...)
	for len(info)%4 != 0 {
		info = append(info, 0x00)
	}
	var body []byte
	body = binary.BigEndian.AppendUint32(body, 0x80010001)
	body = binary.BigEndian.AppendUint32(body, 4)
	body = append(body, "Echo"...)
	body = binary.BigEndian.AppendUint32(body, uint32(seq))
	body = append(body, 0x0c, 0x00, 0x01) // args field 1: struct Request
	body = append(body, 0x0b, 0x00, 0x01) // Request field 1: string message
	body = binary.BigEndian.AppendUint32(body, uint32(len(msg)))
	body = append(body, msg...)
	body = append(body, 0x00, 0x00) // stop Request, stop args

	frame := binary.BigEndian.AppendUint32(nil, uint32(10+len(info)+len(body)))
	frame = append(frame, 0x10, 0x00, 0x00, 0x00) // magic, flags
	frame = binary.BigEndian.AppendUint32(frame, uint32(seq))
	frame = binary.BigEndian.AppendUint16(frame, uint16(len(info)/4))
	frame = append(frame, info...)
	return append(frame, body...)
}

// netpollMaxFrame bounds the frames the raw server and client accept.
const netpollMaxFrame = 16 << 20

var errFrameSize = errors.New("contenders: frame size out of range")

// readFrame reads one length-prefixed frame, without its length, from r.
func readFrame(r netpoll.Reader) ([]byte, error) {
	head, err := r.Next(4)
	if err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(head))
	if n < 14 || n > netpollMaxFrame {
		return nil, fmt.Errorf("%w: %d", errFrameSize, n)
	}
	return r.Next(n)
}

// thriftTypeOffset finds the byte holding the Thrift message type in a frame without its length.
func thriftTypeOffset(frame []byte) int {
	headerSize := int(binary.BigEndian.Uint16(frame[8:10])) * 4
	return 10 + headerSize + 3
}

func serveNetpoll(ln net.Listener) (func() error, error) {
	nl, err := netpoll.ConvertListener(ln)
	if err != nil {
		return nil, err
	}
	loop, err := netpoll.NewEventLoop(echoFrames, netpoll.WithIdleTimeout(time.Minute))
	if err != nil {
		return nil, err
	}
	go func() { _ = loop.Serve(nl) }()
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return loop.Shutdown(ctx)
	}, nil
}

// echoFrames answers every complete frame on conn with the same frame turned into a reply.
func echoFrames(_ context.Context, conn netpoll.Connection) error {
	r, w := conn.Reader(), conn.Writer()
	defer r.Release()
	for r.Len() > 0 {
		frame, err := readFrame(r)
		if err != nil {
			return err
		}
		out, err := w.Malloc(4 + len(frame))
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint32(out, uint32(len(frame)))
		copy(out[4:], frame)
		if at := 4 + thriftTypeOffset(frame); at < len(out) {
			out[at] = 2 // reply
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// netpollClient dials a connection per worker.
type netpollClient struct {
	addr string
	msg  string
}

func dialNetpoll(addr string, cfg Config) (Client, error) {
	return &netpollClient{addr: addr, msg: message(cfg.Payload)}, nil
}

// NewWorker dials the worker's own connection.
func (c *netpollClient) NewWorker(context.Context) (Worker, error) {
	conn, err := netpoll.DialConnection("tcp", c.addr, connectTimeout)
	if err != nil {
		return nil, err
	}
	frame := ttheaderEchoFrame(c.msg, 1)
	return &netpollWorker{conn: conn, frame: frame}, nil
}

// Close does nothing: each worker closes its connection.
func (c *netpollClient) Close() error { return nil }

// netpollWorker sends the frame and reads the reply, with a new sequence id each call.
type netpollWorker struct {
	conn  netpoll.Connection
	frame []byte
	seq   int32
}

// Call writes the frame with the next sequence id and reads the reply.
func (w *netpollWorker) Call(context.Context) error {
	w.seq++
	out, err := w.conn.Writer().Malloc(len(w.frame))
	if err != nil {
		return err
	}
	copy(out, w.frame)
	binary.BigEndian.PutUint32(out[8:], uint32(w.seq))
	if err := w.conn.Writer().Flush(); err != nil {
		return err
	}
	r := w.conn.Reader()
	reply, err := readFrame(r)
	if err != nil {
		return err
	}
	n, seq := len(reply), int32(binary.BigEndian.Uint32(reply[4:8]))
	if err := r.Release(); err != nil {
		return err
	}
	if seq != w.seq {
		return fmt.Errorf("contenders: reply seqid %d, want %d", seq, w.seq)
	}
	return checkEcho(n+4, len(w.frame))
}

// Close closes the worker's connection.
func (w *netpollWorker) Close() error { return w.conn.Close() }

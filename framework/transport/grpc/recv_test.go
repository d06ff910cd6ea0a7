package grpc

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"testing"
)

// framed returns msg with its 5-byte gRPC prefix.
func framed(msg []byte) []byte {
	b := make([]byte, prefixLen, prefixLen+len(msg))
	binary.BigEndian.PutUint32(b[1:], uint32(len(msg)))
	return append(b, msg...)
}

// pushFrames feeds b to st as DATA payloads of at most size bytes.
func pushFrames(t *testing.T, st *stream, b []byte, size int) {
	t.Helper()
	for len(b) > 0 {
		n := min(size, len(b))
		if code, msg := st.push(b[:n], n, false); code != 0 {
			t.Fatal(msg)
		}
		b = b[n:]
	}
}

// TestReceiveOneCopy receives 16 KiB messages that span two DATA frames (the reader's buffer is reused
// for the next frame, so each payload is copied once): the message must be handed out from that one
// copy, not assembled into another.
func TestReceiveOneCopy(t *testing.T) {
	_, st, _ := testConn(0)
	st.recvWindow = 1 << 40
	msg := bytes.Repeat([]byte("0123456789abcdef"), 1024)
	wire := framed(msg)
	allocs := testing.AllocsPerRun(100, func() {
		pushFrames(t, st, wire, 16384)
		if got, err := st.recvMsg(context.Background()); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("%d bytes, %v", len(got), err)
		}
	})
	if allocs > 1 {
		t.Fatalf("receiving a 16 KiB message in two frames: %v allocations, want 1 (its buffer)", allocs)
	}
}

// TestReceivedMessagesStayIntact keeps every message received while more arrive in the same DATA frames
// and buffers, in frames of awkward sizes, and checks none of them changed afterwards.
func TestReceivedMessagesStayIntact(t *testing.T) {
	sizes := []int{0, 1, 4, 5, 6, 1000, 16379, 16384, 40000, maxReserve + 3, 200000}
	for _, frame := range []int{1, 3, 7, 1024, 16384} {
		_, st, _ := testConn(0)
		st.recvWindow = 1 << 40
		var wire []byte
		var want [][]byte
		for i, n := range sizes {
			m := bytes.Repeat([]byte{byte('a' + i)}, n)
			want = append(want, m)
			wire = append(wire, framed(m)...)
		}
		var got [][]byte
		for len(wire) > 0 { // push a frame, then read what is complete, so reads and pushes interleave
			n := min(frame, len(wire))
			pushFrames(t, st, wire[:n], n)
			wire = wire[n:]
			for len(got) < len(want) && st.hasMessage() {
				b, err := st.recvMsg(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, b)
			}
		}
		st.push(nil, 0, true)
		if _, err := st.recvMsg(context.Background()); len(got) != len(want) || err != io.EOF {
			t.Fatalf("frames of %d: %d messages, then %v", frame, len(got), err)
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("frames of %d: message %d changed or wrong (%d bytes)", frame, i, len(got[i]))
			}
		}
	}
}

// hasMessage reports whether a whole message is buffered.
func (st *stream) hasMessage() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.buffered < prefixLen {
		return false
	}
	var p [prefixLen]byte
	k, i, head := 0, st.first, st.head
	for k < prefixLen {
		k += copy(p[k:], st.chunks[i][head:])
		i, head = i+1, 0
	}
	return st.buffered >= prefixLen+int(binary.BigEndian.Uint32(p[1:]))
}

// Package transport names the wire protocols Tern speaks, detects them from a connection's first bytes,
// and defines the small connection interface every transport and the connection pools are built on.
//
// The default connection implementation is netpoll (package transport/netpoll); any type with the same
// zero-copy methods can stand in for it, for example a standard-library net.Conn adapter for TLS.
package transport

import (
	"net"
	"time"
)

// Reader is the zero-copy read side of a connection. Slices returned by Next and Peek stay valid until
// Release is called.
type Reader interface {
	// Next returns the next n bytes and advances past them, blocking until they arrive.
	Next(n int) ([]byte, error)
	// Peek returns the next n bytes without advancing, blocking until they arrive.
	Peek(n int) ([]byte, error)
	// Skip advances past n bytes.
	Skip(n int) error
	// Release frees the bytes already read; slices from Next and Peek are invalid afterwards.
	Release() error
	// Len is the number of bytes readable without blocking.
	Len() int
}

// Writer is the zero-copy write side of a connection. Bytes from Malloc are sent by the next Flush.
type Writer interface {
	// Malloc returns n writable bytes in the output buffer.
	Malloc(n int) ([]byte, error)
	// WriteBinary appends b to the output buffer without copying it; b must not change until Flush.
	WriteBinary(b []byte) (int, error)
	// Flush sends everything written since the last Flush.
	Flush() error
}

// Conn is a connection as the codecs, client, server and pools see it. netpoll's connection types
// (what its dialer and event loop create) satisfy it as they are. Reads and writes may run concurrently with each other, but not with themselves.
type Conn interface {
	Reader
	Writer
	// IsActive reports whether the connection is still open (the peer has not closed it).
	IsActive() bool
	// SetReadTimeout bounds every blocking read; zero means no limit.
	SetReadTimeout(d time.Duration) error
	// SetWriteTimeout bounds every flush; zero means no limit.
	SetWriteTimeout(d time.Duration) error
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	Close() error
}

package grpc

import "time"

// Config holds the settings of a Server or a ClientConn. Start from DefaultConfig.
type Config struct {
	// MaxRecvMsgSize bounds a received message (after decompression); larger ones fail the call with
	// ResourceExhausted.
	MaxRecvMsgSize int
	// MaxSendMsgSize bounds a message to send; larger ones fail the call with ResourceExhausted.
	MaxSendMsgSize int
	// InitialWindowSize is the flow-control window this side gives each stream (at least 65535).
	InitialWindowSize int32
	// InitialConnWindowSize is the flow-control window this side gives the connection (at least 65535).
	InitialConnWindowSize int32
	// MaxConcurrentStreams is, on a server, the number of streams a client may have open at once.
	MaxConcurrentStreams uint32
	// MaxHeaderListSize bounds the decoded size of a received header block.
	MaxHeaderListSize uint32
	// SendCompression, on a client, compresses requests ("gzip" or "" for none). A server answers in the
	// request's encoding.
	SendCompression string
	// UserAgent is sent by a client in the user-agent header.
	UserAgent string
	// WriteTimeout bounds each write to the connection; zero means no limit.
	WriteTimeout time.Duration
	// KeepaliveTime is how long the connection may go without a frame from the peer before this side
	// sends a PING to check it is alive; zero disables pings. grpc-go servers by default answer pings
	// more frequent than every 5 minutes with GOAWAY ENHANCE_YOUR_CALM, so keep client values above that
	// when calling them.
	KeepaliveTime time.Duration
	// KeepaliveTimeout is how long a keepalive PING may go unanswered before the connection is closed
	// as dead (default 20s).
	KeepaliveTimeout time.Duration
}

// DefaultConfig returns the defaults: 4 MiB messages, 1 MiB stream and 16 MiB connection windows.
func DefaultConfig() Config {
	return Config{
		MaxRecvMsgSize:        4 << 20,
		MaxSendMsgSize:        1<<31 - 1,
		InitialWindowSize:     1 << 20,
		InitialConnWindowSize: 16 << 20,
		MaxConcurrentStreams:  1 << 16,
		MaxHeaderListSize:     16 << 20,
		UserAgent:             "tern-grpc",
		KeepaliveTimeout:      20 * time.Second,
	}
}

func (c Config) normalized() Config {
	d := DefaultConfig()
	if c.MaxRecvMsgSize <= 0 {
		c.MaxRecvMsgSize = d.MaxRecvMsgSize
	}
	if c.MaxSendMsgSize <= 0 {
		c.MaxSendMsgSize = d.MaxSendMsgSize
	}
	if c.InitialWindowSize < defaultWindow {
		c.InitialWindowSize = defaultWindow
	}
	if c.InitialConnWindowSize < defaultWindow {
		c.InitialConnWindowSize = defaultWindow
	}
	if c.MaxConcurrentStreams == 0 {
		c.MaxConcurrentStreams = d.MaxConcurrentStreams
	}
	if c.KeepaliveTimeout <= 0 {
		c.KeepaliveTimeout = d.KeepaliveTimeout
	}
	if c.MaxHeaderListSize == 0 {
		c.MaxHeaderListSize = d.MaxHeaderListSize
	}
	return c
}

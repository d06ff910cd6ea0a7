// Package stats lets tracers observe calls: a Tracer is told when a call starts and when it finishes,
// and reads what happened in between from the call's Call record (the time of each Event, the remote
// address, the error).
//
// Clients and servers take tracers with client.WithTracer and server.WithTracer, and how much they record
// with WithStatsLevel. Without a tracer, or at LevelDisabled, nothing is recorded and nothing allocated:
// the framework checks one nil pointer per event.
//
// A tracer that exports spans or metrics lives outside the core (contrib/otel); a tracer of its own is a
// type with two methods:
//
//	type slowCalls struct{ log *slog.Logger }
//
//	func (s slowCalls) Start(ctx context.Context, c *stats.Call) context.Context { return ctx }
//
//	func (s slowCalls) Finish(ctx context.Context, c *stats.Call) {
//		if d := c.Duration(); d > time.Second {
//			s.log.WarnContext(ctx, "slow call", "method", c.Info().Method(), "took", d)
//		}
//	}
package stats

import (
	"context"
	"strconv"
)

// Tracer observes calls. Start runs as a call begins and returns the context the call continues with
// (a tracer may add a span to it, or values the transport sends on); Finish runs once the call is over,
// with the context Start returned. Several tracers start in the order given and finish in reverse.
//
// Both run on the call's goroutine, so they add to its latency: keep them short, and do not keep c after
// Finish returns (read what you need from it first).
type Tracer interface {
	Start(ctx context.Context, c *Call) context.Context
	Finish(ctx context.Context, c *Call)
}

// Level says how much is recorded about each call.
type Level uint8

// Levels, from least to most recorded.
const (
	// LevelDisabled records nothing; tracers are not called.
	LevelDisabled Level = iota
	// LevelBase records the start and end of calls and of server handlers.
	LevelBase
	// LevelDetailed also records transport events: connecting, writing the request, reading the
	// response, writing the reply. It is the default when a tracer is set.
	LevelDetailed
)

var levelNames = [...]string{LevelDisabled: "disabled", LevelBase: "base", LevelDetailed: "detailed"}

// String returns "disabled", "base" or "detailed".
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// Side says which end of a call a record describes.
type Side uint8

// Sides.
const (
	Client Side = iota + 1
	Server
)

// String returns "client" or "server".
func (s Side) String() string {
	switch s {
	case Client:
		return "client"
	case Server:
		return "server"
	}
	return "Side(" + strconv.Itoa(int(s)) + ")"
}

// Event is a moment in a call's life.
type Event uint8

// Events. Client events are recorded on the client's Call, server events on the server's.
const (
	// ClientStart: the call entered the client (before middleware, retries and instance choice).
	ClientStart Event = iota
	// ClientConnected: a connection to the chosen instance was ready (taken from a pool or dialled).
	ClientConnected
	// ClientRequestWritten: the request was written to the connection.
	ClientRequestWritten
	// ClientResponseRead: the response was read from the connection.
	ClientResponseRead
	// ClientFinish: the call returned to the caller.
	ClientFinish
	// ServerRequestRead: the server read and decoded a request; the server side of the call starts.
	ServerRequestRead
	// ServerHandlerStart: the user's handler was called (after the server's middleware).
	ServerHandlerStart
	// ServerHandlerEnd: the user's handler returned.
	ServerHandlerEnd
	// ServerResponseWritten: the reply was written to the connection.
	ServerResponseWritten
	// ServerFinish: the server is done with the call.
	ServerFinish

	numEvents
)

var eventInfo = [numEvents]struct {
	name  string
	level Level
}{
	ClientStart:           {"client_start", LevelBase},
	ClientConnected:       {"client_connected", LevelDetailed},
	ClientRequestWritten:  {"client_request_written", LevelDetailed},
	ClientResponseRead:    {"client_response_read", LevelDetailed},
	ClientFinish:          {"client_finish", LevelBase},
	ServerRequestRead:     {"server_request_read", LevelBase},
	ServerHandlerStart:    {"server_handler_start", LevelBase},
	ServerHandlerEnd:      {"server_handler_end", LevelBase},
	ServerResponseWritten: {"server_response_written", LevelDetailed},
	ServerFinish:          {"server_finish", LevelBase},
}

// String returns the event's name in snake case, e.g. "client_request_written".
func (e Event) String() string {
	if e < numEvents {
		return eventInfo[e].name
	}
	return "Event(" + strconv.Itoa(int(e)) + ")"
}

// Level returns the lowest level at which e is recorded.
func (e Event) Level() Level {
	if e < numEvents {
		return eventInfo[e].level
	}
	return LevelDetailed + 1
}

// Events returns every event of a side, in the order they happen.
func Events(s Side) []Event {
	if s == Client {
		return []Event{ClientStart, ClientConnected, ClientRequestWritten, ClientResponseRead, ClientFinish}
	}
	return []Event{ServerRequestRead, ServerHandlerStart, ServerHandlerEnd, ServerResponseWritten, ServerFinish}
}

func startEvent(s Side) Event {
	if s == Client {
		return ClientStart
	}
	return ServerRequestRead
}

func finishEvent(s Side) Event {
	if s == Client {
		return ClientFinish
	}
	return ServerFinish
}

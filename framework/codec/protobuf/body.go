package protobuf

import "google.golang.org/protobuf/proto"

// Body is implemented by the argument and result values of protobuf methods, which tern generates next
// to each service (GetItemArgs{Req}, GetItemResult{Success}): each holds one message. Clients and
// servers encode and decode them through it, so middleware sees the same wrapper shapes for protobuf
// methods as for Thrift ones.
type Body interface {
	// Message returns the message to encode; nil is sent as an empty message.
	Message() proto.Message
	// MessageToDecode returns the message to decode into, allocating it first if it is nil.
	MessageToDecode() proto.Message
}

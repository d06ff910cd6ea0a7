package protobuf

import (
	"fmt"

	"google.golang.org/protobuf/proto"
)

// MarshalAny encodes m, a message handed over as any (as streams take them); it must be a
// proto.Message.
func MarshalAny(m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%w: %T is not a protobuf message", ErrInvalidData, m)
	}
	return proto.Marshal(pm)
}

// UnmarshalAny decodes b into m, which must be a proto.Message.
func UnmarshalAny(b []byte, m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return fmt.Errorf("%w: %T is not a protobuf message", ErrInvalidData, m)
	}
	return proto.Unmarshal(b, pm)
}

package interop_test

// The Kitex peers of this test binary run as a Kitex application that registered Kitex's gzip
// compressor. A Tern gRPC client announces grpc-accept-encoding: gzip on every call, and a Kitex v0.16.3
// server takes that value as the compressor of its replies: without gzip registered it fails every such
// call with INTERNAL "no kitex compressor registered found for:gzip" (see kitexpeer/nogzip, which runs
// a default Kitex server in a test binary of its own). With it registered, replies come back
// gzip-compressed, which the Tern client must decode.
import _ "github.com/cloudwego/kitex/pkg/remote/codec/protobuf/encoding/gzip"

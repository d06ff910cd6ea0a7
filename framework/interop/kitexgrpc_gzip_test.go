package interop_test

// The Kitex peers of this test binary run as a Kitex application that registered Kitex's gzip
// compressor, so that Tern gRPC clients that compress (grpc.Config.SendCompression "gzip") can call
// them: a Kitex v0.16.3 server decodes gzip requests only with the compressor registered, and it
// answers in the encoding the request's grpc-accept-encoding names — failing the call with INTERNAL
// "no kitex compressor registered found for:gzip" when it has none. kitexpeer/nogzip runs a default
// Kitex server in a test binary of its own, for the uncompressed case.
import _ "github.com/cloudwego/kitex/pkg/remote/codec/protobuf/encoding/gzip"

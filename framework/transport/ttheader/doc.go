// Package ttheader encodes and decodes the TTHeader frame header, byte-compatible with CloudWeGo Kitex
// v0.16.3 (whose codec lives in github.com/cloudwego/gopkg v0.2.0, protocol/ttheader).
//
// # Wire format
//
// All integers are big-endian.
//
//	u32 LENGTH          bytes after this field: the rest of the header plus the payload
//	u16 MAGIC           0x1000 (Magic); the high bit of LENGTH and of MAGIC is 0, which tells TTHeader
//	                    apart from a strict Thrift message (0x8001...)
//	u16 FLAGS           see the Flag constants; Kitex writes 0 on ordinary requests and replies
//	i32 SEQID           the sequence id; Kitex writes the payload's seq id here too
//	u16 HEADER_SIZE     length of the header info below, in units of 4 bytes (so at most MaxHeaderSize bytes)
//	--- header info (HEADER_SIZE*4 bytes) ---
//	u8  PROTOCOL_ID     what the payload is; Kitex always writes 0 (ProtocolIDThriftBinary), even for
//	                    Kitex Protobuf, and finds the real protocol from the payload's own magic
//	u8  NUM_TRANSFORMS  always 0 from Kitex (it reads but never applies transforms; Tern rejects them)
//	... NUM_TRANSFORMS × u8 transform id
//	info blocks, each starting with a u8 info id:
//	  0x11 ACL token:   u16 len + token bytes
//	  0x01 string KVs:  u16 n, then n × (u16 len + key, u16 len + value)
//	  0x10 int KVs:     u16 n, then n × (u16 key, u16 len + value)
//	  0x00 padding:     a single zero byte; the reader skips it and goes on with the next byte
//	zero bytes up to a multiple of 4, ((4 - size%4) % 4 of them)
//	--- payload (LENGTH + 4 - 14 - HEADER_SIZE*4 bytes) ---
//	a strict Thrift binary message, or for TTHeaderFramed a framed one (u32 length + message; Kitex
//	Protobuf is always framed)
//
// Kitex writes the blocks in the order token, string KVs, int KVs, each only when it has something to
// put in it, and iterates Go maps, so KV order on the wire is random. The reader accepts blocks in any
// order, repeated blocks and zero-count blocks; when a key repeats, Kitex (which decodes into maps) keeps
// the last value, and so do Header.Int and Header.Str. Kitex's reader fails on an unknown info id, on a
// KV that runs past the header, on HEADER_SIZE 0 and on a PROTOCOL_ID other than 0x00, 0x03, 0x04, 0x10
// or 0x11 (0x02, Thrift compact, is rejected).
//
// # What Kitex v0.16.3 puts in the header
//
// By default (no TTHeader meta handlers) a Kitex client writes no int KVs at all; its string KVs are
// the caller's metainfo (RPC_TRANSIT_*, RPC_PERSIST_*), and on a retried call also
// "RPC_PERSIST_RetryReq" (KeyRetryReq) = the retry count. A default Kitex server replies with the
// backward metainfo (RPC_BACKWARD_*) as string KVs. FLAGS is 0 both ways (the netpollmux client sets
// FlagSupportOutOfOrder).
//
// With transmeta.ClientTTHeaderHandler a Kitex client adds the int KVs TransportType ("framed" or
// "unframed"), FromService, FromMethod, ToService, ToMethod, MsgType ("1" for a call), RPCTimeout and
// ConnectTimeout (decimal milliseconds, only when set explicitly), and the string KV "isn" (the IDL
// service name, omitted for generic and combine services). With transmeta.ServerTTHeaderHandler a Kitex
// server reads FromService, FromMethod and RPCTimeout, and replies with the int KV MsgType ("2" reply,
// "3" exception) and the string KVs "biz-status" (decimal int32, non-zero means a business error),
// "biz-message", "biz-extra" (a JSON object of strings) and "crrst" = "1" when it wants the client to
// drop the connection (set during graceful shutdown and after some errors). Even without the handlers a
// Kitex server reads "isn" (to route a multi-service server), "rip" and FromService from a request
// header (header_codec.go fillBasicInfoOfTTHeader); with a payload validator (CRC32Check) it also reads
// ToMethod, ToService, FromMethod and LogID before the payload (validate.go).
//
// Sources (Kitex v0.16.3 and gopkg v0.2.0): gopkg protocol/ttheader/encode.go, decode.go, metakey.go,
// utils.go; kitex pkg/remote/codec/header_codec.go, default_codec.go, validate.go;
// pkg/remote/transmeta/metakey.go; pkg/transmeta/ttheader.go, metainfo.go; pkg/retry/util.go;
// client/client.go; pkg/remote/trans/default_server_handler.go.
//
// # Using this package
//
// The encoder and decoder work on byte slices and allocate nothing. A Header's values alias the
// buffers they came from (the decoded frame, or the strings given to SetInt and SetStr); copy what must
// outlive the buffer.
package ttheader

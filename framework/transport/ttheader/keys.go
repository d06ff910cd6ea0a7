package ttheader

// Framing constants (gopkg protocol/ttheader/encode.go).
const (
	// Magic is the u16 at bytes 4–5 of every TTHeader frame (Kitex's TTHeaderMagic 0x10000000 is the
	// same value compared against the whole second word, masked with 0xFFFF0000).
	Magic uint16 = 0x1000
	// MetaSize is the fixed part of a frame: LENGTH, MAGIC, FLAGS, SEQID and HEADER_SIZE (Kitex's
	// TTHeaderMetaSize).
	MetaSize = 14
	// MaxHeaderSize is the largest header info, in bytes, that HEADER_SIZE can describe (4 × 65535);
	// Kitex's MaxHeaderSize since gopkg v0.1.8 (it was 65536 before).
	MaxHeaderSize = 4 * 0xFFFF
	// MaxFrameSize is the largest LENGTH Tern accepts or writes: Kitex's MaxFrameSize constant, which
	// Kitex itself declares but does not enforce. It keeps the high bit of LENGTH clear.
	MaxFrameSize = 0x3FFFFFFF
	// MinFrameSize is the smallest possible frame: MetaSize plus 4 bytes of header info (PROTOCOL_ID,
	// NUM_TRANSFORMS and 2 bytes of padding) and an empty payload.
	MinFrameSize = MetaSize + 4
	// maxLen16 is the largest value a u16 length or count can hold.
	maxLen16 = 0xFFFF
)

// Header flags, the FLAGS field (gopkg HeaderFlags). Kitex's ordinary ping-pong client and server write
// 0; the netpollmux client writes FlagSupportOutOfOrder.
const (
	// FlagSupportOutOfOrder marks a connection on which replies may come back in any order (multiplexed).
	FlagSupportOutOfOrder uint16 = 0x01
	// FlagStreaming marks a TTHeader Streaming frame.
	FlagStreaming uint16 = 0x02
	// FlagDuplexReverse is the duplex-reverse flag (unused by Kitex's ping-pong path).
	FlagDuplexReverse uint16 = 0x08
	// FlagSASL is the SASL flag (unused by Kitex's ping-pong path).
	FlagSASL uint16 = 0x10
)

// PROTOCOL_ID values (gopkg ProtocolID).
const (
	// ProtocolIDThriftBinary is Thrift binary, and what Kitex writes for every payload, Kitex Protobuf
	// included.
	ProtocolIDThriftBinary uint8 = 0x00
	// ProtocolIDThriftCompact is Thrift compact; Kitex rejects it on read, and so does Tern.
	ProtocolIDThriftCompact uint8 = 0x02
	// ProtocolIDThriftCompactV2 was Kitex Protobuf in Kitex <= v1.9.1 (it clashed with compact v2);
	// still accepted on read for compatibility.
	ProtocolIDThriftCompactV2 uint8 = 0x03
	// ProtocolIDKitexProtobuf is Kitex Protobuf; accepted on read, though Kitex writes 0x00 instead.
	ProtocolIDKitexProtobuf uint8 = 0x04
	// ProtocolIDThriftStruct is TTHeader Streaming's bare Thrift struct (no message envelope).
	ProtocolIDThriftStruct uint8 = 0x10
	// ProtocolIDProtobufStruct is TTHeader Streaming's bare protobuf message.
	ProtocolIDProtobufStruct uint8 = 0x11
	// ProtocolIDDefault is what Kitex writes: ProtocolIDThriftBinary.
	ProtocolIDDefault = ProtocolIDThriftBinary
)

// validProtocolID reports whether Kitex's reader (gopkg checkProtocolID) accepts id.
func validProtocolID(id uint8) bool {
	switch id {
	case ProtocolIDThriftBinary, ProtocolIDThriftCompactV2, ProtocolIDKitexProtobuf,
		ProtocolIDThriftStruct, ProtocolIDProtobufStruct:
		return true
	}
	return false
}

// Info block ids (gopkg InfoIDType).
const (
	// InfoIDPadding is a single padding byte; the reader skips it.
	InfoIDPadding uint8 = 0x00
	// InfoIDKeyValue starts the string key-value block.
	InfoIDKeyValue uint8 = 0x01
	// InfoIDIntKeyValue starts the integer-key block.
	InfoIDIntKeyValue uint8 = 0x10
	// InfoIDACLToken starts the ACL token (Kitex maps it to the string key KeyGDPRToken).
	InfoIDACLToken uint8 = 0x11
)

// IntKey is a key of the int KV block. The values are Kitex's (gopkg protocol/ttheader/metakey.go and
// kitex pkg/remote/transmeta/metakey.go, both iota lists starting at MeshVersion = 0).
type IntKey uint16

// Int keys. All values are strings on the wire.
const (
	MeshVersion     IntKey = 0  // mesh protocol version
	TransportType   IntKey = 1  // "framed" or "unframed": whether the payload is framed (TransportTypeFramed...)
	LogID           IntKey = 2  // the caller's log id
	FromService     IntKey = 3  // the caller's service name
	FromCluster     IntKey = 4  // the caller's cluster
	FromIDC         IntKey = 5  // the caller's IDC
	ToService       IntKey = 6  // the callee's service name
	ToCluster       IntKey = 7  // the callee's cluster
	ToIDC           IntKey = 8  // the callee's IDC
	ToMethod        IntKey = 9  // the method called
	Env             IntKey = 10 // environment
	DestAddress     IntKey = 11 // destination address
	RPCTimeout      IntKey = 12 // the call's timeout, decimal milliseconds
	ReadTimeout     IntKey = 13 // read timeout
	RingHashKey     IntKey = 14 // consistent-hash key
	DDPTag          IntKey = 15 // DDP tag
	WithMeshHeader  IntKey = 16 // whether a mesh header was present
	ConnectTimeout  IntKey = 17 // the connect timeout, decimal milliseconds
	SpanContext     IntKey = 18 // tracing span context
	ShortConnection IntKey = 19 // short-connection marker
	FromMethod      IntKey = 20 // the caller's method
	StressTag       IntKey = 21 // stress-test tag
	MsgType         IntKey = 22 // message type, decimal: 1 call, 2 reply, 3 exception, 4 oneway
	HTTPContentType IntKey = 23 // HTTP content type
	RawRingHashKey  IntKey = 24 // raw consistent-hash key
	LBType          IntKey = 25 // load-balancer type; the last key in Kitex v0.16.3's own transmeta list
	ClusterShardID  IntKey = 26 // cluster shard id (gopkg v0.2.0 only)
	FrameType       IntKey = 27 // TTHeader Streaming frame type, "1" meta … "5" rst (gopkg v0.2.0 only)
)

// Values of the TransportType int key (kitex pkg/transmeta/ttheader.go).
const (
	TransportTypeFramed   = "framed"
	TransportTypeUnframed = "unframed"
)

// String keys with a meaning of their own (kitex pkg/remote/transmeta/metakey.go, pkg/transmeta/ttheader.go,
// pkg/retry/util.go; gopkg protocol/ttheader/metakey.go). Every other string key is metainfo: the
// prefixes RPC_TRANSIT_ (one hop), RPC_PERSIST_ (all hops) and RPC_BACKWARD_ (in replies), from
// github.com/bytedance/gopkg/cloud/metainfo.
const (
	// KeyIDLServiceName is the IDL service name; a Kitex server routes a multi-service server by it.
	KeyIDLServiceName = "isn"
	// KeyConnResetFlag, set to "1" by a server in a reply, asks the client to drop the connection
	// (graceful shutdown).
	KeyConnResetFlag = "crrst"
	// KeyBizStatus is a business status code, decimal int32; non-zero means a business error.
	KeyBizStatus = "biz-status"
	// KeyBizMessage is the business error's message.
	KeyBizMessage = "biz-message"
	// KeyBizExtra is the business error's extra data, a JSON object with string values.
	KeyBizExtra = "biz-extra"
	// KeyRemoteAddr is the peer's address as a mesh proxy saw it.
	KeyRemoteAddr = "rip"
	// KeyToCluster is the callee's cluster.
	KeyToCluster = "tc"
	// KeyToIDC is the callee's IDC.
	KeyToIDC = "ti"
	// KeyPerfConnStart .. KeyPerfRecvEnd are timing marks written by mesh proxies.
	KeyPerfConnStart = "pcs"
	KeyPerfConnEnd   = "pce"
	KeyPerfSendStart = "pss"
	KeyPerfRecvStart = "prs"
	KeyPerfRecvEnd   = "pre"
	// KeyProcessAtTime is a processing timestamp.
	KeyProcessAtTime = "K_ProcessAtTime"
	// KeyCRC32C is the payload's CRC-32C (Castagnoli), big-endian, hex-encoded; written and checked
	// only when Kitex's codec has CRC32Check enabled (the key is checked only when present).
	KeyCRC32C = "crc32c"
	// KeyTTStreamCancelPath lists the services on a cascaded cancel in TTHeader Streaming ("A,B").
	KeyTTStreamCancelPath = "ttscp"
	// KeyGDPRToken is the transient metainfo key ("gdpr-token") Kitex moves to and from the ACL token
	// block (Header.Token) instead of the string KVs.
	KeyGDPRToken = "RPC_TRANSIT_gdpr-token"
	// KeyErrorCode is Tern's own: in an exception reply, the rpcerr code of the error (decimal), so that a
	// Tern client gets the exact code back (a TApplicationException type alone cannot carry it). Kitex
	// ignores it.
	KeyErrorCode = "tern-code"
	// KeyRetryReq is sent by a Kitex client on a retried call: persistent metainfo "RetryReq" holding
	// the retry number ("1", "2" ...). A Kitex server seeing it does not retry downstream.
	KeyRetryReq = "RPC_PERSIST_RetryReq"
)

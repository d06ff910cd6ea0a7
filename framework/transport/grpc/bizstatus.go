package grpc

import (
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/rpcerr"
)

// Trailer keys of a business status (see rpcerr.BizStatus), as Kitex's gRPC transport sends them.
const (
	bizStatusKey = "biz-status"
	bizExtraKey  = "biz-extra"
)

// BizStatusTrailer returns how a call that failed with err ends when err is a business status error:
// the status Kitex sends for one (Internal, with the business message) and the trailers that carry the
// business status and its extra values. For any other error it returns err and nil.
func BizStatusTrailer(err error) (error, metadata.MD) {
	be, ok := rpcerr.BizStatusOf(err)
	if !ok {
		return err, nil
	}
	status, extra, _ := be.BizStatusWire()
	md := metadata.MD{bizStatusKey: {status}}
	if extra != "" {
		md[bizExtraKey] = []string{extra}
	}
	return rpcerr.New(rpcerr.CodeInternal, be.Message()), md
}

// BizStatusFromTrailer returns the business status error that trailer and the call's failure err
// describe, or err itself when trailer carries no business status.
func BizStatusFromTrailer(err error, trailer metadata.MD) error {
	if err == nil || trailer.Get(bizStatusKey) == "" {
		return err
	}
	if be := rpcerr.BizStatusFromWire(trailer.Get(bizStatusKey), rpcerr.FromError(err).Message(),
		trailer.Get(bizExtraKey)); be != nil {
		return be
	}
	return err
}

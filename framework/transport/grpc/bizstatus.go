package grpc

import (
	"encoding/json"
	"strconv"

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
	status, _ := be.BizStatus()
	md := metadata.MD{bizStatusKey: {strconv.FormatInt(int64(status), 10)}}
	if extra := be.BizExtra(); len(extra) > 0 {
		if b, err := json.Marshal(extra); err == nil {
			md[bizExtraKey] = []string{string(b)}
		}
	}
	return rpcerr.New(rpcerr.CodeInternal, be.Message()), md
}

// BizStatusFromTrailer returns the business status error that trailer and the call's failure err
// describe, or err itself when trailer carries no business status.
func BizStatusFromTrailer(err error, trailer metadata.MD) error {
	v := trailer.Get(bizStatusKey)
	if err == nil || v == "" {
		return err
	}
	status, perr := strconv.ParseInt(v, 10, 32)
	if perr != nil || status == 0 {
		return err
	}
	msg := ""
	if e := rpcerr.FromError(err); e != nil {
		msg = e.Message()
	}
	be := rpcerr.BizStatus(int32(status), msg)
	if extra := trailer.Get(bizExtraKey); extra != "" {
		var kv map[string]string
		if json.Unmarshal([]byte(extra), &kv) == nil {
			be = be.WithBizExtra(kv)
		}
	}
	return be
}

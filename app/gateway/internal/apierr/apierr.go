// Package apierr is the gateway's error body, the same on every route and in every middleware:
//
//	{"error": {"code": "out_of_stock", "message": "not enough stock of item 3 ..."}}
//
// code is a stable snake_case value clients branch on; message is for people.
package apierr

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/cloudwego/hertz/pkg/app"
)

// Codes the gateway itself produces (the shop's codes are in package shop).
const (
	CodeInvalid            = "invalid_argument"
	CodeUnauthenticated    = "unauthenticated"
	CodeInvalidCredentials = "invalid_credentials"
	CodeNotFound           = "not_found"
	CodeMethodNotAllowed   = "method_not_allowed"
	CodeTooLarge           = "payload_too_large"
	CodeUnsupportedMedia   = "unsupported_media_type"
	CodeRateLimited        = "rate_limited"
	CodeInternal           = "internal"
	CodeNotReady           = "not_ready"
)

// Body is the JSON error body.
type Body struct {
	Error Detail `json:"error"`
}

// Detail is the content of Body.
type Detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Write answers the request with status and the error body, and stops the handler chain.
func Write(_ context.Context, c *app.RequestContext, status int, code, message string) {
	data, _ := Marshal(Body{Error: Detail{Code: code, Message: message}}) // cannot fail: strings
	c.Response.ResetBody()
	c.Data(status, "application/json; charset=utf-8", data)
	c.Abort()
}

// Marshal encodes v as JSON the way every gateway response is encoded: without escaping <, > and &,
// which only matters for JSON embedded in HTML.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

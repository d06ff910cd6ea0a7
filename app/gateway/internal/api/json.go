package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/app/gateway/internal/shop"
)

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 64 << 10

// errBodyTooLarge is a body above maxJSONBody.
var errBodyTooLarge = errors.New("request body too large")

// decodeJSON decodes the request body, one JSON object, into v strictly: unknown fields, wrong types,
// numbers out of range and trailing data are errors.
func decodeJSON(c *app.RequestContext, v any) error {
	body := c.Request.Body()
	if len(body) > maxJSONBody {
		return errBodyTooLarge
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("the body must hold one JSON object and nothing after it")
	}
	return nil
}

// describeJSONError turns a decoding error into a message for the client.
func describeJSONError(err error) error {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return errors.New("the body must be a JSON object")
		}
		return fmt.Errorf("field %q must be %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the body is not valid JSON")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: ")) // unknown field "x"
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int64", "int32", "int":
		return "an integer"
	case "string":
		return "a string"
	}
	return "of another type"
}

// writeDecodeError answers a body decodeJSON refused.
func writeDecodeError(ctx context.Context, c *app.RequestContext, err error) {
	if errors.Is(err, errBodyTooLarge) {
		apierr.Write(ctx, c, http.StatusRequestEntityTooLarge, apierr.CodeTooLarge,
			fmt.Sprintf("the body is larger than %d bytes", maxJSONBody))
		return
	}
	apierr.Write(ctx, c, http.StatusBadRequest, apierr.CodeInvalid, err.Error())
}

// writeJSON answers with status and v as JSON.
func writeJSON(c *app.RequestContext, status int, v any) {
	data, err := apierr.Marshal(v)
	if err != nil { // a bug: every response type encodes
		apierr.Write(context.Background(), c, http.StatusInternalServerError, apierr.CodeInternal, "internal error")
		return
	}
	c.Data(status, "application/json; charset=utf-8", data)
}

// shopStatus is the HTTP status of each shop error code.
var shopStatus = map[shop.Code]int{
	shop.CodeInvalid:     http.StatusBadRequest,
	shop.CodeNotFound:    http.StatusNotFound,
	shop.CodeEmptyCart:   http.StatusBadRequest,
	shop.CodeOutOfStock:  http.StatusConflict,
	shop.CodeConflict:    http.StatusConflict,
	shop.CodeUnavailable: http.StatusServiceUnavailable,
	shop.CodeDownstream:  http.StatusBadGateway,
}

// writeShopError answers a failed shop operation; server-side failures are logged with their cause.
func (hs *handlers) writeShopError(ctx context.Context, c *app.RequestContext, err error) {
	var e *shop.Error
	status, ok := 0, errors.As(err, &e)
	if ok {
		status, ok = shopStatus[e.Code]
	}
	if !ok {
		hs.Log.ErrorContext(ctx, "unexpected error", "err", err, "request_id", middleware.RequestIDOf(c))
		apierr.Write(ctx, c, http.StatusInternalServerError, apierr.CodeInternal, "internal error")
		return
	}
	if status >= 500 {
		hs.Log.WarnContext(ctx, "downstream failure", "code", e.Code, "message", e.Message,
			"cause", fmt.Sprint(errors.Unwrap(e)), "request_id", middleware.RequestIDOf(c))
	}
	apierr.Write(ctx, c, status, string(e.Code), e.Message)
}

// pathID parses a positive int64 path parameter.
func pathID(c *app.RequestContext, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}

// queryInt32 parses an optional int32 query parameter, def when absent.
func queryInt32(c *app.RequestContext, name string, def int32) (int32, bool) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, true
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return int32(n), err == nil
}

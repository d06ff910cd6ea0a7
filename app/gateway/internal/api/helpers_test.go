package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/ternhq/tern/app/gateway/internal/api"
	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/middleware"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
)

var testSecret = []byte("api-test-secret-0123456789abcdef")

// users is the directory of the tests, built once: bcrypt is slow on purpose.
var users = sync.OnceValues(func() (*auth.Directory, error) {
	var records []auth.UserRecord
	for _, u := range []struct {
		id         int64
		name, pass string
	}{{1, "alice", "wonderland"}, {2, "bob", "builder"}} {
		h, err := auth.HashPassword(u.pass)
		if err != nil {
			return nil, err
		}
		records = append(records, auth.UserRecord{ID: u.id, Username: u.name, PasswordHash: h})
	}
	return auth.NewDirectory(records)
})

// env is a gateway on a fake backend of 5 items with 10 units each.
type env struct {
	t      *testing.T
	h      *server.Hertz
	fake   *shoptest.Fake
	signer *auth.Signer
}

// newEnv builds the gateway; limiter may be nil.
func newEnv(t *testing.T, limiter *middleware.Limiter) *env {
	t.Helper()
	dir, err := users()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner(testSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fake := shoptest.New(5, 10)
	h := api.NewServer(api.Deps{
		Shop: shop.NewService(fake), Users: dir, Signer: signer, Limiter: limiter,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return &env{t: t, h: h, fake: fake, signer: signer}
}

// token returns a valid token of user id.
func (e *env) token(id int64) string {
	tok, _ := e.signer.Issue(auth.User{ID: id, Username: "user"})
	return tok
}

// response is a request's outcome.
type response struct {
	status int
	header func(string) string
	body   []byte
}

// do sends a request; token "" sends no Authorization header.
func (e *env) do(method, path, body, token string, headers ...ut.Header) response {
	e.t.Helper()
	var b *ut.Body
	if body != "" {
		b = &ut.Body{Body: strings.NewReader(body), Len: len(body)}
	}
	headers = append(headers, ut.Header{Key: "Content-Type", Value: "application/json"})
	if token != "" {
		headers = append(headers, ut.Header{Key: "Authorization", Value: "Bearer " + token})
	}
	w := ut.PerformRequest(e.h.Engine, method, path, b, headers...)
	res := w.Result()
	return response{status: res.StatusCode(), header: func(k string) string { return string(res.Header.Peek(k)) }, body: res.Body()}
}

// decode decodes r's body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

// errorCode returns the code of r's error body, failing the test when it has none.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	r.decode(t, &b)
	if b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("no error code and message in %s", r.body)
	}
	return b.Error.Code
}

// cartJSON is the cart body.
type cartJSON struct {
	Items []struct {
		ItemID     int64  `json:"item_id"`
		Title      string `json:"title"`
		PriceCents int64  `json:"price_cents"`
		Quantity   int32  `json:"quantity"`
	} `json:"items"`
	TotalCents int64 `json:"total_cents"`
}

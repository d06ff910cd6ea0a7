package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/auth"
)

// apiClient drives the gateway's HTTP API.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(t *testing.T, addr string) *apiClient {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	t.Cleanup(tr.CloseIdleConnections)
	return &apiClient{base: "http://" + addr, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// call sends a request and decodes a JSON answer into out (when not nil); it returns the status.
func (c *apiClient) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

// must is call failing the test unless the status is want.
func (c *apiClient) must(t *testing.T, ctx context.Context, want int, method, path, token string, body, out any) {
	t.Helper()
	status, err := c.call(ctx, method, path, token, body, out)
	if err != nil || status != want {
		t.Fatalf("%s %s: status %d, %v; want %d", method, path, status, err, want)
	}
}

// mintToken signs a token for user id with the shop's secret, as a login of that user would get.
func mintToken(t *testing.T, id int64) string {
	t.Helper()
	s, err := auth.NewSigner([]byte(e2eSecret), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Issue(auth.User{ID: id, Username: "load"})
	return tok
}

// Bodies of the API.
type (
	item struct {
		ID         int64  `json:"id"`
		Title      string `json:"title"`
		PriceCents int64  `json:"price_cents"`
		Stock      int64  `json:"stock"`
	}
	itemList struct {
		Items []item `json:"items"`
		Total int64  `json:"total"`
	}
	line struct {
		ItemID     int64 `json:"item_id"`
		PriceCents int64 `json:"price_cents"`
		Quantity   int32 `json:"quantity"`
	}
	cartBody struct {
		Items      []line `json:"items"`
		TotalCents int64  `json:"total_cents"`
	}
	order struct {
		OrderID    string `json:"order_id"`
		TotalCents int64  `json:"total_cents"`
		Items      []line `json:"items"`
	}
	errBody struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
)

package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckAll(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}
	}))
	defer ok.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open := "tcp://" + ln.Addr().String()
	closedLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "tcp://" + closedLn.Addr().String()
	closedLn.Close()
	defer ln.Close()

	tests := []struct {
		name    string
		targets []string
		wantErr string // empty: healthy
	}{
		{"tcp open", []string{open}, ""},
		{"http 200", []string{ok.URL + "/healthz"}, ""},
		{"both", []string{open, ok.URL + "/healthz"}, ""},
		{"tcp closed", []string{closed}, "refused"},
		{"http 503", []string{ok.URL + "/readyz"}, "503"},
		{"second fails", []string{open, closed}, closed},
		{"no host", []string{"tcp://"}, "no host"},
		{"bad scheme", []string{"udp://127.0.0.1:1"}, "neither tcp nor http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := checkAll(ctx, tt.targets)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("checkAll = %v, want healthy", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("checkAll = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

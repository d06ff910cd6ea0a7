package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"alice", `{"username":"alice","password":"wonderland"}`, http.StatusOK, ""},
		{"wrong password", `{"username":"alice","password":"builder"}`, http.StatusUnauthorized, "invalid_credentials"},
		{"unknown user", `{"username":"mallory","password":"wonderland"}`, http.StatusUnauthorized, "invalid_credentials"},
		{"missing password", `{"username":"alice"}`, http.StatusBadRequest, "invalid_argument"},
		{"empty username", `{"username":"","password":"x"}`, http.StatusBadRequest, "invalid_argument"},
		{"no body", ``, http.StatusBadRequest, "invalid_argument"},
		{"malformed", `{"username":"alice",`, http.StatusBadRequest, "invalid_argument"},
		{"not an object", `["alice","wonderland"]`, http.StatusBadRequest, "invalid_argument"},
		{"wrong type", `{"username":1,"password":"wonderland"}`, http.StatusBadRequest, "invalid_argument"},
		{"unknown field", `{"username":"alice","password":"wonderland","admin":true}`, http.StatusBadRequest, "invalid_argument"},
		{"trailing data", `{"username":"alice","password":"wonderland"} {}`, http.StatusBadRequest, "invalid_argument"},
		{"too large", `{"username":"` + strings.Repeat("a", 70<<10) + `","password":"x"}`, http.StatusRequestEntityTooLarge, "payload_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/login", tt.body, "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code != "" {
				if got := r.errorCode(t); got != tt.code {
					t.Errorf("code %q, want %q", got, tt.code)
				}
				return
			}
			var ok struct {
				Token     string    `json:"token"`
				ExpiresAt time.Time `json:"expires_at"`
			}
			r.decode(t, &ok)
			claims, err := e.signer.Verify(ok.Token)
			if err != nil || claims.UserID != 1 || claims.Username != "alice" {
				t.Fatalf("token %q: %+v, %v", ok.Token, claims, err)
			}
			if d := time.Until(ok.ExpiresAt); d < 59*time.Minute || d > time.Hour {
				t.Errorf("expires_at %v is not an hour from now", ok.ExpiresAt)
			}
		})
	}
}

func TestLoginTokenOpensTheCart(t *testing.T) {
	e := newEnv(t, nil)
	var ok struct {
		Token string `json:"token"`
	}
	e.do("POST", "/api/v1/login", `{"username":"bob","password":"builder"}`, "").decode(t, &ok)
	if r := e.do("POST", "/api/v1/cart/items", `{"item_id":2,"quantity":3}`, ok.Token); r.status != http.StatusOK {
		t.Fatalf("add with the login's token: %d %s", r.status, r.body)
	}
	if lines := e.fake.Lines(2); len(lines) != 1 || lines[0].ItemID != 2 || lines[0].Quantity != 3 {
		t.Errorf("bob (id 2) has lines %+v", lines)
	}
}

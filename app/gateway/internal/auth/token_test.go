package auth_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/auth"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	alice  = auth.User{ID: 1, Username: "alice"}
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newSigner(t *testing.T, key []byte, c *clock) *auth.Signer {
	t.Helper()
	s, err := auth.NewSigner(key, time.Hour, auth.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueVerify(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s := newSigner(t, secret, c)
	token, expires := s.Issue(alice)
	if want := c.t.Add(time.Hour); !expires.Equal(want) {
		t.Errorf("expires %v, want %v", expires, want)
	}
	claims, err := s.Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	if claims.UserID != 1 || claims.Username != "alice" || claims.ExpiresAt != expires.Unix() {
		t.Errorf("claims %+v", claims)
	}
}

func TestVerifyRefuses(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s := newSigner(t, secret, c)
	token, _ := s.Issue(alice)
	body, sig, _ := strings.Cut(token, ".")
	other := newSigner(t, []byte("another secret, also 32 bytes long!"), c)
	forged, _ := other.Issue(alice)
	// A payload naming user 2, signed with the wrong key, and one swapped under a valid signature.
	bob := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":2,"name":"bob","exp":1900000000}`))
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", auth.ErrMalformed},
		{"no dot", body + sig, auth.ErrMalformed},
		{"no signature", body + ".", auth.ErrMalformed},
		{"signature not base64", body + ".!!!", auth.ErrMalformed},
		{"other secret", forged, auth.ErrSignature},
		{"payload swapped", bob + "." + sig, auth.ErrSignature},
		{"signature truncated", body + "." + sig[:len(sig)-3], auth.ErrSignature},
		{"signature of another token", bob + "." + strings.Split(forged, ".")[1], auth.ErrSignature},
		{"too long", body + "." + strings.Repeat("A", 2000), auth.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Verify(tt.token); !errors.Is(err, tt.want) {
				t.Errorf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyExpiry(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s := newSigner(t, secret, c)
	token, expires := s.Issue(alice)
	tests := []struct {
		name string
		at   time.Time
		want error
	}{
		{"fresh", c.t, nil},
		{"a second before expiry", expires.Add(-time.Second), nil},
		{"at expiry", expires, auth.ErrExpired},
		{"a day later", expires.Add(24 * time.Hour), auth.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = tt.at
			if _, err := s.Verify(token); !errors.Is(err, tt.want) {
				t.Errorf("Verify at %v: %v, want %v", tt.at, err, tt.want)
			}
		})
	}
}

func TestNewSignerRefuses(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		ttl    time.Duration
	}{
		{"short secret", []byte("too short"), time.Hour},
		{"empty secret", nil, time.Hour},
		{"zero ttl", secret, 0},
		{"negative ttl", secret, -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := auth.NewSigner(tt.secret, tt.ttl); err == nil {
				t.Error("NewSigner accepted it")
			}
		})
	}
}

package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinSecretLen is the shortest secret a Signer accepts, in bytes.
const MinSecretLen = 32

// maxTokenLen bounds what Verify parses; real tokens are about 120 bytes.
const maxTokenLen = 1024

// Errors of Verify. Callers answer every one of them the same way (401); they are distinct for logs and
// tests.
var (
	ErrMalformed = errors.New("auth: malformed token")
	ErrSignature = errors.New("auth: bad token signature")
	ErrExpired   = errors.New("auth: token expired")
)

// Claims is what a token says: who it was issued to and until when it is valid.
type Claims struct {
	// UserID is the user's id; the gateway passes it to the cart service.
	UserID int64 `json:"sub"`
	// Username is the user's login name.
	Username string `json:"name"`
	// ExpiresAt is the end of validity, in Unix seconds.
	ExpiresAt int64 `json:"exp"`
}

// Signer issues and verifies tokens.
type Signer struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// SignerOption configures NewSigner.
type SignerOption interface{ apply(*Signer) }

type signerOptionFunc func(*Signer)

func (f signerOptionFunc) apply(s *Signer) { f(s) }

// WithClock sets the clock tokens are issued and checked against (default time.Now); tests use it to
// move past an expiry.
func WithClock(now func() time.Time) SignerOption {
	return signerOptionFunc(func(s *Signer) { s.now = now })
}

// NewSigner returns a Signer whose tokens are signed with secret (at least MinSecretLen bytes) and valid
// for ttl.
func NewSigner(secret []byte, ttl time.Duration, opts ...SignerOption) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("auth: the secret has %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("auth: token ttl %v is not positive", ttl)
	}
	s := &Signer{secret: append([]byte(nil), secret...), ttl: ttl, now: time.Now}
	for _, o := range opts {
		o.apply(s)
	}
	return s, nil
}

// Issue returns a token for user, valid for the Signer's ttl from now, and its expiry.
func (s *Signer) Issue(user User) (token string, expires time.Time) {
	expires = s.now().Add(s.ttl).Truncate(time.Second)
	claims := Claims{UserID: user.ID, Username: user.Username, ExpiresAt: expires.Unix()}
	payload, _ := json.Marshal(claims) // cannot fail: plain fields
	body := base64.RawURLEncoding.EncodeToString(payload)
	return body + "." + base64.RawURLEncoding.EncodeToString(s.sign(body)), expires
}

// Verify checks token's signature and expiry and returns its claims.
func (s *Signer) Verify(token string) (Claims, error) {
	if len(token) > maxTokenLen {
		return Claims{}, ErrMalformed
	}
	body, sig, ok := strings.Cut(token, ".")
	if !ok || body == "" || sig == "" {
		return Claims{}, ErrMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	if !hmac.Equal(got, s.sign(body)) {
		return Claims{}, ErrSignature
	}
	payload, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil || c.UserID <= 0 || c.ExpiresAt == 0 {
		return Claims{}, ErrMalformed
	}
	if !s.now().Before(time.Unix(c.ExpiresAt, 0)) {
		return Claims{}, ErrExpired
	}
	return c, nil
}

// sign returns the HMAC-SHA256 of body under the secret.
func (s *Signer) sign(body string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(body))
	return m.Sum(nil)
}

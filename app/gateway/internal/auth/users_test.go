package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ternhq/tern/app/gateway/internal/auth"
)

func hash(t *testing.T, password string) string {
	t.Helper()
	h, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAuthenticate(t *testing.T) {
	d, err := auth.NewDirectory([]auth.UserRecord{
		{ID: 1, Username: "alice", PasswordHash: hash(t, "wonderland")},
		{ID: 2, Username: "bob", PasswordHash: hash(t, "builder")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, password string
		wantID               int64
	}{
		{"alice", "alice", "wonderland", 1},
		{"bob", "bob", "builder", 2},
		{"wrong password", "alice", "builder", 0},
		{"password case", "alice", "Wonderland", 0},
		{"unknown user", "mallory", "wonderland", 0},
		{"empty password", "alice", "", 0},
		{"username case", "Alice", "wonderland", 0},
		{"longer than bcrypt reads", "alice", "wonderland" + strings.Repeat("x", 80), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := d.Authenticate(tt.user, tt.password)
			if tt.wantID == 0 {
				if !errors.Is(err, auth.ErrBadCredentials) {
					t.Errorf("Authenticate: %v, want ErrBadCredentials", err)
				}
				return
			}
			if err != nil || u.ID != tt.wantID || u.Username != tt.user {
				t.Errorf("Authenticate: %+v, %v", u, err)
			}
		})
	}
}

func TestNewDirectoryRefuses(t *testing.T) {
	h := hash(t, "pw")
	tests := []struct {
		name    string
		records []auth.UserRecord
	}{
		{"zero id", []auth.UserRecord{{ID: 0, Username: "a", PasswordHash: h}}},
		{"empty name", []auth.UserRecord{{ID: 1, PasswordHash: h}}},
		{"duplicate id", []auth.UserRecord{{ID: 1, Username: "a", PasswordHash: h}, {ID: 1, Username: "b", PasswordHash: h}}},
		{"duplicate name", []auth.UserRecord{{ID: 1, Username: "a", PasswordHash: h}, {ID: 2, Username: "a", PasswordHash: h}}},
		{"plain-text password", []auth.UserRecord{{ID: 1, Username: "a", PasswordHash: "wonderland"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := auth.NewDirectory(tt.records); err == nil {
				t.Error("NewDirectory accepted it")
			}
		})
	}
}

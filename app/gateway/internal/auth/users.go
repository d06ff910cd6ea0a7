package auth

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// ErrBadCredentials is returned by Authenticate for an unknown user or a wrong password alike.
var ErrBadCredentials = errors.New("auth: bad username or password")

// maxPasswordLen is bcrypt's limit: it reads at most 72 bytes.
const maxPasswordLen = 72

// User is an account of the shop.
type User struct {
	ID       int64
	Username string
}

// UserRecord is a user as configured: id, login name and bcrypt hash of the password.
type UserRecord struct {
	ID           int64  `yaml:"id"`
	Username     string `yaml:"username"`
	PasswordHash string `yaml:"password_hash"`
}

// Directory holds the users the gateway knows, by login name. It is read-only after NewDirectory and
// safe for concurrent use.
type Directory struct {
	byName map[string]UserRecord
	// dummy is a hash compared against when the user is unknown, so that an unknown name costs as much
	// time as a wrong password and names cannot be probed by timing.
	dummy []byte
}

// NewDirectory returns a directory of records; ids and names must be unique and positive/non-empty,
// and every hash a bcrypt hash.
func NewDirectory(records []UserRecord) (*Directory, error) {
	d := &Directory{byName: make(map[string]UserRecord, len(records))}
	ids := make(map[int64]bool, len(records))
	for _, r := range records {
		if err := checkRecord(r, ids, d.byName); err != nil {
			return nil, err
		}
		ids[r.ID] = true
		d.byName[r.Username] = r
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	d.dummy = dummy
	return d, nil
}

// checkRecord validates one record against those seen so far.
func checkRecord(r UserRecord, ids map[int64]bool, names map[string]UserRecord) error {
	switch {
	case r.ID <= 0:
		return fmt.Errorf("auth: user %q: id %d is not positive", r.Username, r.ID)
	case r.Username == "":
		return fmt.Errorf("auth: user %d: empty username", r.ID)
	case ids[r.ID]:
		return fmt.Errorf("auth: user id %d appears twice", r.ID)
	}
	if _, dup := names[r.Username]; dup {
		return fmt.Errorf("auth: username %q appears twice", r.Username)
	}
	if _, err := bcrypt.Cost([]byte(r.PasswordHash)); err != nil {
		return fmt.Errorf("auth: user %q: password_hash is not a bcrypt hash: %w", r.Username, err)
	}
	return nil
}

// Len returns the number of users.
func (d *Directory) Len() int { return len(d.byName) }

// Authenticate returns the user whose name and password these are, or ErrBadCredentials.
func (d *Directory) Authenticate(username, password string) (User, error) {
	r, ok := d.byName[username]
	if !ok || len(password) > maxPasswordLen { // no configured password is longer: bcrypt refuses to hash one
		password = password[:min(len(password), maxPasswordLen)]
		_ = bcrypt.CompareHashAndPassword(d.dummy, []byte(password))
		return User{}, ErrBadCredentials
	}
	if err := bcrypt.CompareHashAndPassword([]byte(r.PasswordHash), []byte(password)); err != nil {
		return User{}, ErrBadCredentials
	}
	return User{ID: r.ID, Username: r.Username}, nil
}

// HashPassword returns the bcrypt hash of password, for a UserRecord.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

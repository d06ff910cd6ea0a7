// Package auth is the gateway's authentication: a directory of users whose passwords are bcrypt hashes
// (the demo users are seeded from the configuration), and bearer tokens signed with HMAC-SHA256 under a
// configured secret, carrying the user and an expiry.
//
// A token is two base64url parts joined by a dot, the claims (JSON) and their HMAC-SHA256:
//
//	eyJzdWIiOjEsIm5hbWUiOiJhbGljZSIsImV4cCI6MTc2NDc2MDAwMH0.<signature>
//
// Verifying recomputes the signature with the secret, compares it in constant time and then checks the
// expiry, so a forged, altered, truncated or expired token is refused before its claims are trusted.
package auth

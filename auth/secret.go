package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// TokenPrefix starts every API token secret, so that a leaked one is easy
// to recognise (and to scan for).
const TokenPrefix = "amd_"

// NewSecret returns 32 random bytes from crypto/rand as unpadded base64url:
// a session id or a setup code.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewTokenSecret returns a fresh API token secret: TokenPrefix then a
// NewSecret.
func NewTokenSecret() (string, error) {
	s, err := NewSecret()
	if err != nil {
		return "", err
	}
	return TokenPrefix + s, nil
}

// TokenDisplayPrefix returns the part of a token secret shown to tell tokens
// apart: the first 8 characters after TokenPrefix.
func TokenDisplayPrefix(raw string) string {
	s := strings.TrimPrefix(raw, TokenPrefix)
	if len(s) > 8 {
		s = s[:8]
	}
	return s
}

// HashSecret returns the hex SHA-256 of a secret: all that is stored of a
// session id, a setup code or a token. The secrets carry 256 random bits, so
// a plain fast hash is enough; there is nothing to guess.
func HashSecret(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

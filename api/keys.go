package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// keyPrefix starts every kume API key so that leaked keys are recognisable.
const keyPrefix = "kume_"

// NewKey returns a new API key: the secret to show the user once (32 random
// bytes, base64url-encoded, with a "kume_" prefix) and the SHA-256 hash to store.
func NewKey() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("api: new key: %w", err)
	}
	secret = keyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashKey(secret), nil
}

// HashKey returns the SHA-256 hash under which a key's secret is stored.
func HashKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

package kume

import "time"

// Scope is what an API key may do. Each scope includes the ones before it.
type Scope string

// API key scopes.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// Allows reports whether a key with scope s may act with scope need.
func (s Scope) Allows(need Scope) bool { return s.level() >= need.level() && need.level() > 0 }

func (s Scope) level() int {
	switch s {
	case ScopeRead:
		return 1
	case ScopeWrite:
		return 2
	case ScopeAdmin:
		return 3
	}
	return 0
}

// APIKey is a stored key. The secret itself is shown once at creation and only
// its hash is kept.
type APIKey struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Scope     Scope      `json:"scope"`
	Hash      []byte     `json:"-"` // SHA-256 of the secret
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Grants are the key's rights on single datasets, ordered by dataset id
	// (see Access). A key without grants reads the public datasets only.
	Grants []Grant `json:"grants,omitempty"`
}

package migrations

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
)

// Digest returns a SHA-256 digest (hexadecimal) of the embedded migrations,
// names and contents, in the order they apply: it changes whenever a
// migration is added or edited, so tests can name a database migrated
// once and copied for each of them (internal/pgtest.NewDatabaseFrom) by it.
func Digest() (string, error) {
	names, err := fs.Glob(files, "0*.sql")
	if err != nil {
		return "", fmt.Errorf("migrations: %w", err)
	}
	h := sha256.New()
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return "", fmt.Errorf("migrations: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

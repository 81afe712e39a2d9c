//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package memory

import "os"

// lockFile does nothing where flock is not available: the data directory is
// then not protected against a second process.
func lockFile(f *os.File) error { return nil }

func unlockFile(f *os.File) error { return nil }

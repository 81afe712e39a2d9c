//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package memory

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive, non-blocking flock on f. The kernel releases it
// when the process exits, however it exits.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

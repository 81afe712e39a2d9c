//go:build linux

package postgis

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestNotSelf: a TCP connection made to its own address (a simultaneous
// open, which the kernel makes when the source port it picks is the
// destination port and nothing listens there) is closed and refused;
// a connection to a listener is kept.
func TestNotSelf(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().(*net.TCPAddr)
	probe.Close() // the port is free now
	d := net.Dialer{LocalAddr: addr, Timeout: 2 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) }); err != nil {
			return err
		}
		return serr
	}}
	self, err := d.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("no socket connected to itself: %v", err)
	}
	if err := notSelf(self); !errors.Is(err, errSelfConnect) {
		t.Fatalf("self-connected %v -> %v: %v", self.LocalAddr(), self.RemoteAddr(), err)
	}
	if _, err := self.Write([]byte("x")); err == nil {
		t.Error("the self-connected socket was not closed")
	}
	// The port is free again: something can listen on it.
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		t.Fatalf("port %d still taken: %v", addr.Port, err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := notSelf(c); err != nil {
		t.Errorf("a connection to a listener: %v", err)
	}
}

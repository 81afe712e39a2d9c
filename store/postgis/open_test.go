package postgis_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
)

// closedPort returns a local TCP port that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestOpenUnreachable(t *testing.T) {
	port := strconv.Itoa(closedPort(t))
	tests := []struct {
		name, url string
		want      []string // substrings of the error
	}{
		{"closed port", "postgres://kume@127.0.0.1:" + port + "/kume?sslmode=disable",
			[]string{"postgis: connect to 127.0.0.1:" + port, "connection refused"}},
		{"unknown host", "postgres://kume@nohost.invalid:5432/kume?sslmode=disable",
			[]string{"postgis: connect to nohost.invalid:5432"}},
		{"bad url", "postgres://kume:secret@[::1/kume", []string{"invalid database URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s, err := postgis.Open(context.Background(), tt.url)
			elapsed := time.Since(start)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			t.Logf("%v after %v", err, elapsed)
			if elapsed > 10*time.Second {
				t.Errorf("Open took %v, want at most 10s", elapsed)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
			if tt.name != "bad url" && kume.ErrorCode(err) != kume.EUNAVAILABLE {
				t.Errorf("code %q, want %q", kume.ErrorCode(err), kume.EUNAVAILABLE)
			}
		})
	}
}

func TestOpenTimeout(t *testing.T) {
	// A listener that accepts but never answers: Open must give up in time.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	_, err = postgis.Open(context.Background(), "postgres://kume@"+l.Addr().String()+"/kume?sslmode=disable",
		postgis.WithConnectTimeout(time.Second))
	if err == nil {
		t.Fatal("Open succeeded")
	}
	t.Logf("%v", err)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open took %v with a 1s timeout", d)
	}
	if !strings.Contains(err.Error(), l.Addr().String()) {
		t.Errorf("error %q does not name %s", err, l.Addr())
	}
}

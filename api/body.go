package api

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/kume-geo/kume"
)

// limitBody caps the request body at n bytes and bounds how slowly it may
// come (slowBody).
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, n int64) {
	cfg := s.api.cfg
	r.Body = &slowBody{
		body: http.MaxBytesReader(w, r.Body, n), rc: http.NewResponseController(w), start: time.Now(),
		idle: cfg.BodyIdleTimeout, minRate: float64(cfg.BodyMinRate), grace: cfg.BodyGrace,
	}
}

// slowBody reads a request body under a read deadline that it moves before
// every read: at most idle from now, and no later than the time by which
// the bytes read so far would have come at minRate after grace. A client
// that trickles its body (a byte every few seconds) or stops sending is cut
// within seconds, not at the server's ReadTimeout: its connection is freed
// and a spooled upload removed. Where the connection takes no deadline
// (tests through a recorder), reads are not bounded.
type slowBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	n       int64
	idle    time.Duration
	minRate float64 // bytes a second
	grace   time.Duration
}

// errBodyTooSlow is the error of a request body that came too slowly.
var errBodyTooSlow = errors.New("request body too slow")

// Read implements io.Reader.
func (b *slowBody) Read(p []byte) (int, error) {
	now := time.Now()
	deadline := now.Add(b.idle)
	byRate := b.start.Add(b.grace + time.Duration(float64(b.n)/b.minRate*float64(time.Second)))
	if byRate.Before(deadline) {
		deadline = byRate
	}
	_ = b.rc.SetReadDeadline(deadline) // http.ErrNotSupported: unbounded
	n, err := b.body.Read(p)
	b.n += int64(n)
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return n, errBodyTooSlow
	}
	if err == io.EOF {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// Close implements io.Closer.
func (b *slowBody) Close() error { return b.body.Close() }

// bodyError turns a body read error into an application error: 413 beyond
// the cap, 408 for a body that came too slowly, 400 otherwise.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return kume.Errorf(kume.ETOOLARGE, "request body larger than %d bytes", mbe.Limit)
	case errors.Is(err, errBodyTooSlow):
		return &kume.Error{Code: codeRequestTimeout, Message: "the request body came too slowly; send it at a steady rate"}
	}
	return kume.Errorf(kume.EINVALID, "could not read the request body")
}

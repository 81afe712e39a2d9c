package postgis

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kume-geo/kume"
)

// TestWrapUnreachable: a lost or refused connection is EUNAVAILABLE (a 503
// for HTTP clients), a failed statement is not.
func TestWrapUnreachable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, kume.EUNAVAILABLE},
		{io.ErrUnexpectedEOF, kume.EUNAVAILABLE},
		{&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, kume.EUNAVAILABLE},
		{&pgconn.PgError{Code: "08006"}, kume.EUNAVAILABLE},
		{&pgconn.PgError{Code: "42601", Message: "syntax error"}, kume.EINTERNAL},
		{&pgconn.PgError{Code: pgUniqueViolation}, kume.ECONFLICT},
	}
	for _, tt := range tests {
		if got := kume.ErrorCode(wrap(ctx, tt.err, "establishments")); got != tt.want {
			t.Errorf("wrap(%v) code %q, want %q", tt.err, got, tt.want)
		}
	}
}

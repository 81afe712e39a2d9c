package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kume-geo/kume"
)

// PostgreSQL error codes the store maps to kume codes.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgCheckViolation       = "23514"
	pgCardinalityViolation = "21000"
)

// codedError gives err a kume code and client-safe message without changing
// err's own text; errors.As finds both err's chain and the *kume.Error.
type codedError struct {
	err  error
	code *kume.Error
}

func (e *codedError) Error() string   { return e.err.Error() }
func (e *codedError) Unwrap() []error { return []error{e.code, e.err} }

// withCode returns err carrying a kume code and message.
func withCode(err error, code, format string, args ...any) error {
	return &codedError{err: err, code: kume.Errorf(code, format, args...)}
}

// wrap annotates err with what failed. When ctx is done it returns ctx.Err()
// wrapped, whatever the database said. Otherwise it annotates err with what failed and maps the errors a caller can act on
// to kume codes: no rows to ENOTFOUND, a unique violation to ECONFLICT, a
// check or foreign-key violation to EINVALID. what names the operation, never
// the statement. nil stays nil.
func wrap(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		// The server reports the cancelled statement; the caller cares why.
		return fmt.Errorf("postgis: %s: %w", what, cerr)
	}
	e := fmt.Errorf("postgis: %s: %w", what, err)
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return withCode(e, kume.ENOTFOUND, "%s: not found", what)
	case errors.As(err, &pgErr) && pgErr.Code == pgUniqueViolation:
		return withCode(e, kume.ECONFLICT, "%s: already exists", what)
	case errors.As(err, &pgErr) && (pgErr.Code == pgCheckViolation || pgErr.Code == pgForeignKeyViolation):
		return withCode(e, kume.EINVALID, "%s: invalid value", what)
	case unreachable(err):
		return withCode(e, kume.EUNAVAILABLE, "database not reachable")
	}
	return e
}

// unreachable reports whether err says the database could not be reached
// (refused or dropped connection, server shutting down), as opposed to a
// failed statement: a client may retry such a request later.
func unreachable(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01–57P03: admin shutdown,
		// crash shutdown, cannot connect now.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return pgconn.SafeToRetry(err)
}

// notFound returns an ENOTFOUND error for what.
func notFound(what string) error {
	return withCode(fmt.Errorf("postgis: %s: not found", what), kume.ENOTFOUND, "%s: not found", what)
}

// invalid returns an EINVALID error with a client-safe message.
func invalid(format string, args ...any) error {
	return fmt.Errorf("postgis: %w", kume.Errorf(kume.EINVALID, format, args...))
}

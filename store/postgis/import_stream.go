package postgis

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgconn"
)

// copyStream is one COPY ... FROM STDIN that stays open across an import's
// Add calls. Add encodes its rows into a buffer and queues it; a goroutine
// feeds the queued buffers to the server while the caller reads and checks
// the next rows, so that the client's work and the server's overlap. At most
// streamDepth buffers wait in the queue, which bounds the memory an import
// holds however large its input.
type copyStream struct {
	bufs chan []byte   // encoded rows, in order
	free chan []byte   // sent buffers, for reuse
	done chan struct{} // closed when the COPY has ended
	tag  pgconn.CommandTag
	err  error // the COPY's outcome, set before done is closed

	end    error  // what Read returns after the last buffer: io.EOF, or why the COPY is abandoned
	cur    []byte // the part of the buffer being sent that is left
	curBuf []byte // the whole buffer being sent
	closed bool
}

// streamDepth is how many encoded batches may wait for the server.
const streamDepth = 3

// copyBufferSize is the capacity of a new buffer of a copyStream.
const copyBufferSize = 1 << 20

// startCopy runs sql, a COPY ... FROM STDIN, on conn and returns the stream
// that feeds it, which queues up to depth buffers. The caller must end it
// with finish or abort before using the connection again.
func startCopy(ctx context.Context, conn *pgconn.PgConn, sql string, depth int) *copyStream {
	s := &copyStream{
		bufs: make(chan []byte, depth),
		free: make(chan []byte, depth+1),
		done: make(chan struct{}),
	}
	s.bufs <- appendHeader(s.buffer())
	go func() {
		s.tag, s.err = conn.CopyFrom(ctx, s, sql)
		close(s.done)
	}()
	return s
}

// buffer returns an empty buffer to encode rows into.
func (s *copyStream) buffer() []byte {
	select {
	case b := <-s.free:
		return b[:0]
	default:
		return make([]byte, 0, copyBufferSize)
	}
}

// send queues b. It returns the COPY's error if the COPY has already ended.
func (s *copyStream) send(ctx context.Context, b []byte) error {
	if s.closed {
		return errors.New("postgis: COPY stream already ended")
	}
	select {
	case s.bufs <- b:
		return nil
	case <-s.done:
		if s.err != nil {
			return s.err
		}
		return errors.New("postgis: COPY ended early")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish ends the COPY after the queued rows and returns the number of rows
// the server stored.
func (s *copyStream) finish(ctx context.Context) (int64, error) {
	if !s.closed {
		if err := s.send(ctx, appendTrailer(s.buffer())); err != nil {
			s.abort()
			return 0, err
		}
		s.close(io.EOF)
	}
	<-s.done
	return s.tag.RowsAffected(), s.err
}

// abort abandons the COPY: the server discards its rows and reports an error,
// which abort does not return. It waits until the connection is free.
func (s *copyStream) abort() {
	s.close(errors.New("COPY abandoned"))
	<-s.done
}

func (s *copyStream) close(end error) {
	if s.closed {
		return
	}
	s.closed = true
	s.end = end
	close(s.bufs)
}

// Read implements io.Reader for pgconn's CopyFrom, which calls it from one
// goroutine.
func (s *copyStream) Read(p []byte) (int, error) {
	for len(s.cur) == 0 {
		if s.curBuf != nil {
			select {
			case s.free <- s.curBuf:
			default:
			}
			s.curBuf = nil
		}
		b, ok := <-s.bufs
		if !ok {
			return 0, s.end
		}
		s.cur, s.curBuf = b, b
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

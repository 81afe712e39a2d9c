package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvReader reads delimited text: one header line, then records. It accepts
// LF, CRLF and bare CR line endings, double-quoted fields with "" escapes and
// line breaks inside quotes, and a UTF-8 byte order mark. Text after a closing
// quote up to the next delimiter is kept literally ("ab"c reads as ab"c).
//
// A record longer than maxRecord bytes is reported as a row error and skipped
// up to the next line break without being held in memory. A quote left open at
// the end of the input is a row error that ends the source.
type csvReader struct {
	r         *bufio.Reader
	delim     byte
	line      int // line number of the next byte to read, from 1
	maxRecord int
	maxFields int
	done      bool

	buf    []byte
	ends   []int
	fields []string
}

// errEmpty is returned for an input without a single line.
var errEmpty = errors.New("the input is empty")

// newCSVReader wraps r. delim 0 detects the delimiter from the first lines.
func newCSVReader(r *bufio.Reader, delim byte, lim Limits) (*csvReader, error) {
	if err := skipBOM(r); err != nil {
		return nil, err
	}
	if delim == 0 {
		head, _ := r.Peek(64 << 10)
		delim = detectDelimiter(head)
	}
	return &csvReader{r: r, delim: delim, line: 1, maxRecord: lim.MaxRecordBytes, maxFields: lim.MaxFields}, nil
}

// skipBOM drops a UTF-8 byte order mark and refuses UTF-16 input.
func skipBOM(r *bufio.Reader) error {
	b, _ := r.Peek(3)
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		_, err := r.Discard(3)
		return err
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return errors.New("the input is UTF-16; convert it to UTF-8")
	}
	return nil
}

// detectDelimiter picks the delimiter among , ; tab | from the first two lines
// of head: the one that occurs the same number of times (outside quotes) in both
// and most often; comma when nothing fits.
func detectDelimiter(head []byte) byte {
	cands := []byte{',', ';', '\t', '|'}
	var counts [2][4]int
	lineNo, quoted := 0, false
	for i := 0; i < len(head) && lineNo < 2; i++ {
		c := head[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\r' || c == '\n':
			if c == '\r' && i+1 < len(head) && head[i+1] == '\n' {
				i++
			}
			lineNo++
		default:
			if j := bytes.IndexByte(cands, c); j >= 0 {
				counts[lineNo][j]++
			}
		}
	}
	best, bestN, consistent := byte(','), 0, false
	for j, c := range cands {
		n := counts[0][j]
		ok := n > 0 && (lineNo < 2 || counts[1][j] == n)
		if n == 0 || (consistent && !ok) {
			continue
		}
		if (ok && !consistent) || n > bestN {
			best, bestN, consistent = c, n, ok
		}
	}
	return best
}

// next returns the fields of the next non-blank record and its first line. The
// slice is reused by the following call; the strings are not. It returns io.EOF
// at the end and a *RowError for a malformed record.
func (c *csvReader) next() ([]string, int, error) {
	for {
		if c.done {
			return nil, 0, io.EOF
		}
		start := c.line
		err := c.readRecord()
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				re.Line = start
			}
			return nil, start, err
		}
		if len(c.ends) == 1 && c.ends[0] == 0 {
			continue // blank line
		}
		if len(c.ends) == 0 {
			return nil, 0, io.EOF
		}
		s := string(c.buf)
		c.fields = c.fields[:0]
		prev := 0
		for _, e := range c.ends {
			c.fields = append(c.fields, s[prev:e])
			prev = e
		}
		return c.fields, start, nil
	}
}

// readRecord reads one record into buf/ends, or sets done at the end of input.
func (c *csvReader) readRecord() error {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	b, err := c.r.ReadByte()
	if err == io.EOF {
		c.done = true
		return nil
	} else if err != nil {
		return err
	}
	for {
		if len(c.ends) >= c.maxFields {
			return c.skipRest(fmt.Sprintf("more than %d fields", c.maxFields))
		}
		if b == '"' {
			if b, err = c.quoted(); err != nil {
				return err
			}
		}
		// Unquoted part of the field (or what follows a closing quote).
		for {
			if err == io.EOF {
				c.done = true
				c.ends = append(c.ends, len(c.buf))
				return nil
			} else if err != nil {
				return err
			}
			if b == c.delim {
				break
			}
			if b == '\r' || b == '\n' {
				c.newline(b)
				c.ends = append(c.ends, len(c.buf))
				return nil
			}
			c.buf = append(c.buf, b)
			c.plain()
			if len(c.buf) > c.maxRecord {
				return c.skipRest(fmt.Sprintf("record longer than %d bytes (is the delimiter or quoting wrong?)", c.maxRecord))
			}
			b, err = c.r.ReadByte()
		}
		c.ends = append(c.ends, len(c.buf))
		if b, err = c.r.ReadByte(); err == io.EOF {
			c.done = true
			c.ends = append(c.ends, len(c.buf))
			return nil
		} else if err != nil {
			return err
		}
	}
}

// quoted reads a quoted field after its opening quote and returns the byte after
// the closing quote.
func (c *csvReader) quoted() (byte, error) {
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			c.done = true
			return 0, &RowError{Reason: "quoted field not closed before the end of the input"}
		} else if err != nil {
			return 0, err
		}
		if b == '"' {
			nb, err := c.r.ReadByte()
			if err != nil || nb != '"' {
				return nb, err
			}
		} else if b == '\r' || (b == '\n') {
			if b == '\r' {
				if p, _ := c.r.Peek(1); len(p) == 1 && p[0] == '\n' {
					c.buf = append(c.buf, b)
					b, _ = c.r.ReadByte()
				}
			}
			c.line++
		}
		c.buf = append(c.buf, b)
		if len(c.buf) > c.maxRecord {
			return 0, c.skipRest(fmt.Sprintf("record longer than %d bytes (is a quote not closed?)", c.maxRecord))
		}
	}
}

// plain appends the buffered bytes up to the next delimiter, quote or line
// break in one step: the fast path for unquoted text.
func (c *csvReader) plain() {
	p, _ := c.r.Peek(c.r.Buffered())
	i := 0
	for i < len(p) {
		if b := p[i]; b == c.delim || b == '\r' || b == '\n' || b == '"' {
			break
		}
		i++
	}
	if i > 0 {
		c.buf = append(c.buf, p[:i]...)
		_, _ = c.r.Discard(i)
	}
}

// newline consumes the LF of a CRLF pair and counts the line.
func (c *csvReader) newline(b byte) {
	if b == '\r' {
		if p, _ := c.r.Peek(1); len(p) == 1 && p[0] == '\n' {
			_, _ = c.r.ReadByte()
		}
	}
	c.line++
}

// skipRest discards input up to and including the next line break, ignoring
// quotes, and returns a row error with reason.
func (c *csvReader) skipRest(reason string) error {
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			c.done = true
			break
		} else if err != nil {
			return err
		}
		if b == '\r' || b == '\n' {
			c.newline(b)
			break
		}
	}
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	return &RowError{Reason: reason}
}

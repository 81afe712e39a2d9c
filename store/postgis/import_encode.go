package postgis

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"time"

	"github.com/kume-geo/kume"
)

// Rows reach the server in PostgreSQL's binary COPY format, written straight
// into a byte buffer: the header, then per row the number of fields and each
// field as a 4-byte length (-1 for NULL) followed by its value in the type's
// binary send format, then a trailer. This is the format pgx's CopyFrom
// writes, without its per-value reflection and allocations.

// copyHeader is the signature, flags and header extension length of a binary COPY.
const copyHeader = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// microsecondsToY2K is the number of microseconds from the Unix epoch to
// 2000-01-01 00:00 UTC, the epoch of PostgreSQL's timestamps.
const microsecondsToY2K = 946684800 * 1_000_000

// rowEncoder appends establishments as rows of a binary COPY whose columns are
// importColumns, preceded by dataset_id when withDataset is set.
type rowEncoder struct {
	datasetID   int64
	withDataset bool
}

// appendHeader appends the start of a binary COPY.
func appendHeader(b []byte) []byte { return append(b, copyHeader...) }

// appendTrailer appends the end of a binary COPY.
func appendTrailer(b []byte) []byte { return binary.BigEndian.AppendUint16(b, 0xffff) }

// appendRow appends e as one row. It sets e.DatasetID to the encoder's dataset.
func (enc *rowEncoder) appendRow(b []byte, e *kume.Establishment) ([]byte, error) {
	e.DatasetID = enc.datasetID
	fields := len(importColumns())
	if enc.withDataset {
		fields++
	}
	b = binary.BigEndian.AppendUint16(b, uint16(fields))
	if enc.withDataset {
		b = appendInt8(b, enc.datasetID)
	}
	for _, s := range []string{e.SourceID, e.Name, string(e.Kind), string(e.Type), e.NACE} {
		b = appendText(b, s)
	}
	b = appendBool(b, e.Employees.Known)
	b = appendInt4(b, int32(e.Employees.Low))
	b = appendInt4(b, int32(e.Employees.High))
	b = appendTime(b, e.Founded)
	b = appendTime(b, e.Closed)
	a := &e.Address
	for _, s := range []string{a.Street, a.Postcode, a.District, a.Province, a.Country} {
		b = appendText(b, s)
	}
	b = appendFloat8(b, e.Lon)
	b = appendFloat8(b, e.Lat)
	b = appendText(b, string(e.Precision))
	b = appendText(b, e.GeocodeSource)
	if e.Cell != 0 {
		b = appendInt8(b, int64(e.Cell))
	} else {
		b = appendNull(b)
	}
	if len(e.Attrs) > 0 {
		js, err := json.Marshal(e.Attrs)
		if err != nil {
			return b, err
		}
		b = binary.BigEndian.AppendUint32(b, uint32(1+len(js)))
		b = append(b, 1) // jsonb binary format version
		b = append(b, js...)
	} else {
		b = appendNull(b)
	}
	return appendInt8(b, int64(e.ContentHash())), nil
}

func appendNull(b []byte) []byte { return binary.BigEndian.AppendUint32(b, math.MaxUint32) }

func appendText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	b = binary.BigEndian.AppendUint32(b, 1)
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendInt4(b []byte, v int32) []byte {
	b = binary.BigEndian.AppendUint32(b, 4)
	return binary.BigEndian.AppendUint32(b, uint32(v))
}

func appendInt8(b []byte, v int64) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

func appendFloat8(b []byte, v float64) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
}

// appendTime appends a timestamptz (microseconds since 2000-01-01 UTC), or
// NULL for nil.
func appendTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return appendNull(b)
	}
	us := t.Unix()*1_000_000 + int64(t.Nanosecond())/1000
	return appendInt8(b, us-microsecondsToY2K)
}

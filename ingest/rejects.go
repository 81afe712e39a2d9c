package ingest

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// rejectWriter writes rejected rows as CSV: the original fields plus the
// columns reject_source, reject_line, reject_column and reject_reason. A
// header row is written before the first reject and again whenever the
// original columns change (a new source with another header). GeoJSON rows are
// written as one column "feature" holding the feature's JSON.
type rejectWriter struct {
	w      *csv.Writer
	header string
	row    []string
}

func newRejectWriter(w io.Writer) *rejectWriter {
	if w == nil {
		return nil
	}
	return &rejectWriter{w: csv.NewWriter(w)}
}

// write writes one reject; header and values are the original row (values
// nil when nothing of the row could be read).
func (rw *rejectWriter) write(header, values []string, rj Reject) error {
	if rw == nil {
		return nil
	}
	key := strings.Join(header, "\x00")
	if key != rw.header || rw.row == nil {
		rw.header = key
		h := append(append([]string{}, header...), "reject_source", "reject_line", "reject_column", "reject_reason")
		if err := rw.w.Write(h); err != nil {
			return err
		}
	}
	rw.row = rw.row[:0]
	for i := range header {
		v := ""
		if i < len(values) {
			v = strings.ToValidUTF8(strings.ReplaceAll(values[i], "\x00", ""), "\uFFFD")
		}
		rw.row = append(rw.row, v)
	}
	for i := len(header); i < len(values); i++ { // a row longer than its header
		rw.row[len(rw.row)-1] += "," + values[i]
	}
	rw.row = append(rw.row, rj.Source, strconv.Itoa(rj.Line), rj.Column, rj.Reason)
	return rw.w.Write(rw.row)
}

func (rw *rejectWriter) flush() error {
	if rw == nil {
		return nil
	}
	rw.w.Flush()
	return rw.w.Error()
}

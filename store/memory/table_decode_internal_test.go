package memory

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// decodeTableRows returns n establishments with every kind of field set
// somewhere: dates or none, attributes or none, empty and long strings.
func decodeTableRows(n int) []kume.Establishment {
	rows := make([]kume.Establishment, n)
	for i := range rows {
		r := &rows[i]
		r.ID = int64(3 + 2*i + i%7)
		r.DatasetID = 9
		r.SourceID = fmt.Sprint("s", i)
		r.Name = fmt.Sprintf("Firma %d Ğüşıöç", i)
		r.Kind = kume.KindFirm
		if i%5 == 0 {
			r.Kind, r.Type = kume.KindInstitution, "university"
		}
		r.NACE = []string{"", "13", "13.20", "62.01"}[i%4]
		r.Employees = kume.Employees{Known: i%3 == 0, Low: i % 50, High: i%50 + 9}
		if i%2 == 0 {
			f := time.Date(1990+i%30, 1, 2, 0, 0, i%60, i%1000, time.UTC)
			r.Founded = &f
		}
		if i%9 == 0 {
			c := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
			r.Closed = &c
		}
		r.Address = kume.Address{Street: fmt.Sprint("Street ", i), Postcode: "34000", Country: "TR"}
		if i%11 == 0 {
			r.Address.District = string(bytes.Repeat([]byte("d"), 300))
		}
		r.Lon, r.Lat = 26+float64(i%1000)/100, 36+float64(i%700)/100
		r.Precision = kume.Precision([]string{"address", "street", "postcode"}[i%3])
		r.GeocodeSource = "source"
		r.Cell = uint64(0x891ec8a4c2bffff + i)
		if i%13 == 0 {
			r.Attrs = map[string]string{"a": fmt.Sprint(i), "b": ""}
		}
	}
	return rows
}

// encodedTable returns the bytes of a table file of rows.
func encodedTable(t *testing.T, rows []kume.Establishment) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := newEncoder(&buf, kindEstablishment)
	if err := encodeTable(e, 9, newTable(rows), nil); err != nil {
		t.Fatal(err)
	}
	if err := e.finish(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A table decoded in parts on several goroutines is the table encoded, and
// skipRow reads exactly the bytes decodeRow reads, row by row.
func TestDecodeTableInParts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{0, 1, minPartRows - 1, 2*minPartRows + 1, 4*minPartRows + 17} {
		rows := decodeTableRows(n)
		data := encodedTable(t, rows)
		d, err := checkData("t", data, kindEstablishment)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeTable(d, 9)
		if err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		if !reflect.DeepEqual(got.rows, rows) && !(n == 0 && len(got.rows) == 0) {
			t.Fatalf("%d rows: decoded rows differ from those encoded", n)
		}

		d, _ = checkData("t", data, kindEstablishment)
		s := *d
		d.varint()
		s.varint()
		d.count(40)
		s.count(40)
		var r kume.Establishment
		var ts timeSlab
		var pd, ps int64
		for i := range n {
			pd = decodeRow(d, &r, pd, 9, &ts)
			ps = skipRow(&s, ps)
			if d.off != s.off || pd != ps || d.err != nil || s.err != nil {
				t.Fatalf("%d rows: row %d: decodeRow ends at %d (id %d, err %v), skipRow at %d (id %d, err %v)",
					n, i, d.off, pd, d.err, s.off, ps, s.err)
			}
		}
	}
}

// A truncated or damaged body fails to decode (with any number of parts),
// never panics.
func TestDecodeTableDamaged(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	rows := decodeTableRows(3*minPartRows + 5)
	data := encodedTable(t, rows)
	d, err := checkData("t", data, kindEstablishment)
	if err != nil {
		t.Fatal(err)
	}
	body := d.s
	for _, cut := range []int{len(body) / 3, len(body) / 2, len(body) - 1} {
		if _, err := decodeTable(&decoder{s: body[:cut], version: d.version}, 9); err == nil {
			t.Errorf("a body cut at %d of %d bytes decoded", cut, len(body))
		}
	}
	// A string length that runs past the next row's start.
	b := []byte(body)
	at := len(b) / 2
	for b[at] != 's' || b[at-1] < 2 || b[at-1] > 7 { // a source id "s…" and its length byte
		at++
	}
	b[at-1] = 0x7f
	if _, err := decodeTable(&decoder{s: string(b), version: d.version}, 9); err == nil {
		t.Error("a damaged length decoded")
	}
}

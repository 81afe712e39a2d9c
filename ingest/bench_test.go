package ingest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"

	"github.com/kume-geo/kume/internal/teststores"
)

// generatedCSV returns n generated firm rows (seeded, not real data) in the
// Berlin register's column layout.
func generatedCSV(n int) []byte {
	rng := rand.New(rand.NewSource(1))
	var b bytes.Buffer
	b.WriteString("opendata_id,city,postcode,latitude,longitude,nace_id,employees_range,Bezirk,Ortsteil\r")
	codes := []string{"4719", "6201", "1320", "4711", "5610", "8121"}
	bands := []string{"0 Beschäftigte", "1 - 3 Beschäftigte", "10 - 19 Beschäftigte", "unbekannt"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,Berlin,1%04d,%.9f,%.9f,%s,%s,Bezirk %d,\"Ortsteil, %d\"\r",
			1000000+i, rng.Intn(10000), 52.35+rng.Float64()*0.3, 13.1+rng.Float64()*0.6,
			codes[rng.Intn(len(codes))], bands[rng.Intn(len(bands))], rng.Intn(12), rng.Intn(96))
	}
	return b.Bytes()
}

func BenchmarkReadCSV(b *testing.B) {
	data := generatedCSV(100000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := newCSVReader(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), 0, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			_, _, err := r.next()
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if rows != 100001 {
			b.Fatalf("%d rows", rows)
		}
	}
}

// BenchmarkRunCSV measures the whole import path (read, map, validate, H3
// index, batch) for 100k generated rows into the test store.
func BenchmarkRunCSV(b *testing.B) {
	data := generatedCSV(100000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		st := newTestStore(b, teststores.Memory)
		sum, err := Run(context.Background(), st, []Source{{Name: "gen.csv", Reader: bytes.NewReader(data)}},
			Options{Dataset: "bench"}, nil)
		if err != nil || sum.Inserted != 100000 {
			b.Fatalf("%+v %v", sum, err)
		}
	}
}

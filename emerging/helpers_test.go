package emerging_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/kume-geo/kume/synth"
)

// loadPlanted imports generated firms (seeded and made up, with the planted
// space-time patterns): every firm of the planted classes (NACE 26) and one
// in ten of the others, into a public dataset. It returns them.
func loadPlanted(t testing.TB, st kume.Store, seed uint64) []kume.Establishment {
	t.Helper()
	g, err := synth.New(synth.Config{Firms: 60_000, Seed: seed, Patterns: true})
	if err != nil {
		t.Fatal(err)
	}
	var rows []kume.Establishment
	var f synth.Firm
	for n := 0; g.Next(&f); n++ {
		if f.Defect == "" && (strings.HasPrefix(f.NACE, "26.") || n%10 == 0) {
			rows = append(rows, establishment(t, &f))
		}
	}
	importRows(t, st, &kume.Dataset{Name: "synthetic", Visibility: kume.Public, Source: synth.DatasetSource(seed)}, rows)
	return rows
}

// establishment converts a generated row as kume import reads it.
func establishment(t testing.TB, f *synth.Firm) kume.Establishment {
	t.Helper()
	e := kume.Establishment{SourceID: f.ID, Name: f.Name, Kind: kume.KindFirm, NACE: f.NACE, Lon: f.Lon, Lat: f.Lat,
		Precision: kume.PrecisionAddress, Address: kume.Address{Province: f.Province, Country: f.Country}}
	for _, d := range []struct {
		s   string
		dst **time.Time
	}{{f.Founded, &e.Founded}, {f.Closed, &e.Closed}} {
		if d.s != "" {
			v, err := time.Parse(time.DateOnly, d.s)
			if err != nil {
				t.Fatal(err)
			}
			*d.dst = &v
		}
	}
	if n, err := strconv.Atoi(f.Employees); err == nil {
		e.Employees = kume.ExactEmployees(n)
	}
	return e
}

func importRows(t testing.TB, st kume.Store, d *kume.Dataset, rows []kume.Establishment) {
	t.Helper()
	if err := st.CreateDataset(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	storetest.MustImport(t, st, d.ID, kume.ImportOptions{}, rows)
}

// countingStore is a real store that counts the reads of establishments and,
// when gate is set, holds each read until gate is closed: it shows how often
// the engine reads the firms and lets a test keep a computation running.
type countingStore struct {
	kume.Store
	reads   atomic.Int64
	mu      sync.Mutex
	gate    chan struct{}
	entered chan struct{}
}

func (s *countingStore) EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	s.reads.Add(1)
	s.mu.Lock()
	gate, entered := s.gate, s.entered
	s.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Store.EachEstablishment(ctx, f, fn)
}

// hold makes the next reads wait until the returned function is called;
// each read that starts waiting sends on entered.
func (s *countingStore) hold() (entered <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.entered = make(chan struct{}), make(chan struct{}, 16)
	gate := s.gate
	var once sync.Once
	return s.entered, func() {
		once.Do(func() {
			s.mu.Lock()
			s.gate = nil
			s.mu.Unlock()
			close(gate)
		})
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/demo"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/nace"
)

// loadStartData loads, into an embedded store, the bundled demo (when the store
// is empty and --no-demo is not given) and each --data file (into a public
// dataset named after the file).
func (s *server) loadStartData(ctx context.Context, tax *nace.Taxonomy) error {
	if s.cfg.Store.DB != "" {
		if len(s.cfg.Data) > 0 {
			return fmt.Errorf("--data loads files into the embedded store only; use \"kume import\" with --db")
		}
		return nil
	}
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	if len(sets) == 0 && !s.cfg.NoDemo {
		s.log.Info("loading the bundled demo data (first start of an empty store)")
		sum, err := demo.Load(ctx, s.store, tax)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		for _, im := range sum.Imports {
			s.log.Info("demo import", "dataset", im.Dataset, "read", im.Read, "inserted", im.Inserted,
				"updated", im.Updated, "rejected", im.Rejected)
		}
	}
	for _, name := range s.cfg.Data {
		if err := s.importFile(ctx, tax, name); err != nil {
			return err
		}
	}
	return nil
}

// importFile imports one --data file, skipping invalid rows (they are logged).
func (s *server) importFile(ctx context.Context, tax *nace.Taxonomy, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	gaz, err := ingest.LoadGazetteer(ctx, s.store)
	if err != nil {
		return err
	}
	var geocoder ingest.Geocoder
	if gaz != nil {
		geocoder = gaz
	}
	dataset := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	sum, err := ingest.Run(ctx, s.store, []ingest.Source{{Name: name, Reader: f}}, ingest.Options{
		Dataset:    dataset,
		NewDataset: kume.Dataset{Name: dataset, Source: filepath.Base(name), Visibility: kume.Public},
		OnError:    ingest.Skip,
		Geocoder:   geocoder,
		NACE:       tax,
	}, nil)
	if err != nil {
		return fmt.Errorf("--data %s: %w", name, err)
	}
	s.log.Info("data file imported", "file", name, "dataset", dataset, "read", sum.Read,
		"inserted", sum.Inserted, "updated", sum.Updated, "unchanged", sum.Unchanged, "rejected", sum.Rejected)
	for _, r := range sum.Rejects {
		s.log.Warn("rejected row", "reject", r.String())
	}
	return nil
}

package memory_test

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/storetest"
)

func mustOpen(tb testing.TB, dir string) *memory.Store {
	tb.Helper()
	s, err := memory.Open(dir)
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func mustClose(tb testing.TB, s *memory.Store) {
	tb.Helper()
	if err := s.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
}

// files lists the names in dir.
func files(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	storetest.Fill(t, s)
	before := storetest.Dump(t, s)
	mustClose(t, s)

	s = mustOpen(t, dir)
	storetest.AssertSameContents(t, storetest.Dump(t, s), before)

	// Counters survive: new ids do not reuse old ones.
	d := storetest.MustCreateDataset(t, s, "third", kume.Public)
	storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, storetest.Synthetic("x", 3))
	for _, old := range before.Datasets {
		if old.ID >= d.ID {
			t.Errorf("dataset id %d reused after reopen", d.ID)
		}
	}
	rows, err := s.Establishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
	if err != nil {
		t.Fatal(err)
	}
	maxOld := before.Establishments[len(before.Establishments)-1].ID
	if rows[0].ID <= maxOld {
		t.Errorf("establishment id %d after reopen, old ids go up to %d", rows[0].ID, maxOld)
	}
	if err := s.DeleteDataset(ctx, before.Datasets[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnalysis(ctx, storetest.AnalysisResult()); err != nil {
		t.Fatal(err)
	}
	k := &kume.APIKey{Name: "later", Scope: kume.ScopeAdmin, Hash: []byte("later-hash")}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if k.ID <= before.Keys[len(before.Keys)-1].ID {
		t.Errorf("key id %d reused after reopen", k.ID)
	}
	again := storetest.Dump(t, s)
	mustClose(t, s)

	s = mustOpen(t, dir)
	defer mustClose(t, s)
	storetest.AssertSameContents(t, storetest.Dump(t, s), again)

	// Only the files of the current state remain: no temp files, no stale
	// data files of the deleted dataset or the replaced analysis.
	var data []string
	for _, f := range files(t, dir) {
		if strings.HasPrefix(f, ".tmp-") {
			t.Errorf("temp file %s left behind", f)
		}
		if strings.HasSuffix(f, ".kume") {
			data = append(data, f)
		}
	}
	// One file per non-empty dataset (2), regions, analysis.
	if len(data) != 4 {
		t.Errorf("data files %v, want 4", data)
	}
}

func TestReopenLarge(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	d := storetest.MustCreateDataset(t, s, "large", kume.Public)
	storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, storetest.Synthetic("r", 30000))
	before := storetest.Dump(t, s)
	mustClose(t, s)
	s = mustOpen(t, dir)
	defer mustClose(t, s)
	storetest.AssertSameContents(t, storetest.Dump(t, s), before)
}

func TestNewIsNotPersisted(t *testing.T) {
	s := memory.New()
	defer mustClose(t, s)
	storetest.Fill(t, s)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	_, err := memory.Open(dir)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open of a locked directory: %v, want an 'in use' error", err)
	}
	mustClose(t, s)
	s = mustOpen(t, dir)
	mustClose(t, s)
}

func TestOpenUnwritable(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "plain-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{"UnderAFile": filepath.Join(file, "kume-data")}
	if os.Geteuid() != 0 { // permission bits do not stop root
		ro := filepath.Join(parent, "read-only")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cases["ReadOnly"] = ro
	}
	for name, dir := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := memory.Open(dir)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded", dir)
			}
			if !strings.Contains(err.Error(), dir) && !strings.Contains(err.Error(), file) {
				t.Errorf("error %q does not name the directory", err)
			}
		})
	}
}

func TestOpenRemovesOrphans(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	storetest.Fill(t, s)
	before := storetest.Dump(t, s)
	mustClose(t, s)
	for _, name := range []string{".tmp-MANIFEST-123", "est-99-99.kume", "analysis-1000.kume"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s = mustOpen(t, dir)
	defer mustClose(t, s)
	storetest.AssertSameContents(t, storetest.Dump(t, s), before)
	for _, name := range []string{".tmp-MANIFEST-123", "est-99-99.kume", "analysis-1000.kume"} {
		if slices.Contains(files(t, dir), name) {
			t.Errorf("orphan %s not removed", name)
		}
	}
}

func TestOpenCorrupt(t *testing.T) {
	flip := func(at func(size int) int) func([]byte) []byte {
		return func(b []byte) []byte { b[at(len(b))] ^= 0x5a; return b }
	}
	cases := []struct {
		name   string
		file   string // prefix of the file to damage
		damage func([]byte) []byte
		want   string
		// opens: the damage shows only when the analysis is read, not at
		// Open (which checks the analysis file's header only).
		opens bool
	}{
		{"EstablishmentsBitFlip", "est-", flip(func(n int) int { return n / 2 }), "checksum", false},
		{"EstablishmentsTruncated", "est-", func(b []byte) []byte { return b[:len(b)*2/3] }, "checksum", false},
		{"EstablishmentsEmpty", "est-", func([]byte) []byte { return nil }, "not a kume store file", false},
		{"ManifestBitFlip", "MANIFEST", flip(func(n int) int { return n - 10 }), "checksum", false},
		{"ManifestTruncated", "MANIFEST", func(b []byte) []byte { return b[:5] }, "not a kume store file", false},
		{"ManifestMagic", "MANIFEST", func(b []byte) []byte { b[0] = 'X'; return b }, "not a kume store file", false},
		{"ManifestVersion", "MANIFEST", func(b []byte) []byte { b[5] = 99; return b }, "format version 99", false},
		{"RegionsChecksum", "regions-", flip(func(n int) int { return n - 1 }), "checksum", false},
		{"AnalysisBitFlip", "analysis-", flip(func(n int) int { return 7 }), "checksum", true},
		{"AnalysisTruncated", "analysis-", func(b []byte) []byte { return b[:len(b)/2] }, "checksum", true},
		{"AnalysisEmpty", "analysis-", func([]byte) []byte { return nil }, "not a kume store file", false},
		{"AnalysisVersion", "analysis-", func(b []byte) []byte { b[5] = 99; return b }, "format version 99", false},
		{"AnalysisMissing", "analysis-", nil, "no such file", false},
		{"WrongKind", "regions-", func(b []byte) []byte { b[4] = 'A'; return b }, "file kind", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir)
			storetest.Fill(t, s)
			mustClose(t, s)
			var path string
			for _, f := range files(t, dir) {
				if strings.HasPrefix(f, c.file) {
					path = filepath.Join(dir, f)
				}
			}
			if path == "" {
				t.Fatalf("no file %s* in %v", c.file, files(t, dir))
			}
			if c.damage == nil {
				os.Remove(path)
			} else {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, c.damage(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := memory.Open(dir)
			if c.opens {
				if err != nil {
					t.Fatalf("Open failed on a damaged analysis file, which it should read only later: %v", err)
				}
				defer mustClose(t, s)
				_, err = s.CellStats(t.Context(), kume.CellFilter{Res: 9})
				if err == nil {
					t.Fatalf("CellStats succeeded on a damaged %s", filepath.Base(path))
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q should name %s and say %q", err, path, c.want)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded on a damaged %s", filepath.Base(path))
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q should name %s and say %q", err, path, c.want)
			}
			// The failed Open released the lock and kept the damaged file.
			if _, err := os.Stat(path); err != nil && c.damage != nil {
				t.Errorf("damaged file gone after a failed Open: %v", err)
			}
			if _, err := memory.Open(dir); err != nil && strings.Contains(err.Error(), "in use") {
				t.Errorf("a failed Open kept the lock")
			}
		})
	}
}

// TestCorruptAnalysisIsReplaced damages the analysis file: the store opens,
// reads of the analysis fail naming the file, and the next analysis, saved
// whole or streamed, replaces it.
func TestCorruptAnalysisIsReplaced(t *testing.T) {
	ctx := t.Context()
	saves := map[string]func(t *testing.T, s *memory.Store) int64{
		"SaveAnalysis": func(t *testing.T, s *memory.Store) int64 {
			v, err := s.SaveAnalysis(ctx, storetest.AnalysisResult())
			if err != nil {
				t.Fatalf("SaveAnalysis over a damaged analysis: %v", err)
			}
			return v
		},
		"Stream": func(t *testing.T, s *memory.Store) int64 {
			r := storetest.AnalysisResult()
			cells := slices.Clone(r.Cells)
			slices.SortFunc(cells, func(a, b kume.CellStat) int {
				return cmp.Or(cmp.Compare(a.Res, b.Res), strings.Compare(a.Sector, b.Sector), cmp.Compare(a.Cell, b.Cell))
			})
			w, err := s.BeginAnalysis(ctx, len(cells))
			if err != nil {
				t.Fatalf("BeginAnalysis over a damaged analysis: %v", err)
			}
			defer w.Abort()
			if err := w.WriteCells(ctx, cells); err != nil {
				t.Fatal(err)
			}
			r.Cells = nil
			v, err := w.Commit(ctx, r)
			if err != nil {
				t.Fatalf("Commit over a damaged analysis: %v", err)
			}
			return v
		},
	}
	for name, save := range saves {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir)
			storetest.Fill(t, s)
			mustClose(t, s)
			var path string
			for _, f := range files(t, dir) {
				if strings.HasPrefix(f, "analysis-") {
					path = filepath.Join(dir, f)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x5a
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}

			s = mustOpen(t, dir)
			for _, read := range []func() error{
				func() error { _, err := s.CellStats(ctx, kume.CellFilter{Res: 9}); return err },
				func() error { _, err := s.Cluster(ctx, 0, "none"); return err },
				func() error { _, err := s.Clusters(ctx, kume.ClusterFilter{}); return err },
			} {
				if err := read(); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "checksum") {
					t.Errorf("read of a damaged analysis: %v, want a checksum error naming %s", err, path)
				}
			}
			v := save(t, s)
			want := storetest.Dump(t, s)
			if want.Run == nil || want.Run.Version != v || len(want.Cells) == 0 {
				t.Fatalf("after the save: run %+v, %d cells; want version %d", want.Run, len(want.Cells), v)
			}
			mustClose(t, s)
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("the damaged analysis file is still there: %v", err)
			}
			s = mustOpen(t, dir)
			defer mustClose(t, s)
			storetest.AssertSameContents(t, storetest.Dump(t, s), want)
		})
	}
}

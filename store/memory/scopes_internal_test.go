package memory

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
)

// analysisFiles returns the names of the analysis files in dir.
func analysisFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "analysis-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func openDir(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func closeStore(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestScopesPersist keeps the analyses of three scopes, one file each, across
// a restart and a read-only open, and removes a scope's file with it.
func TestScopesPersist(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openDir(t, dir)
	storetest.Fill(t, s)
	ds, err := s.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv := ds[0], ds[1]
	vp, err := s.SaveAnalysis(ctx, storetest.PrivateAnalysis(pub, priv))
	if err != nil {
		t.Fatal(err)
	}
	all := storetest.AnalysisResult()
	all.Run.Scope = kume.AnalysisAll
	if _, err := s.SaveAnalysis(ctx, all); err != nil {
		t.Fatal(err)
	}
	// A streamed save of a scope replaces that scope's file only.
	stream := storetest.PrivateAnalysis(pub, priv)
	w, err := s.BeginAnalysis(ctx, len(stream.Cells))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(stream.Cells, func(a, b kume.CellStat) int { return compareCells(&a, &b) })
	if err := w.WriteCells(ctx, stream.Cells); err != nil {
		t.Fatal(err)
	}
	vs, err := w.Commit(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(analysisFiles(t, dir)); n != 3 {
		t.Fatalf("%d analysis files for 3 scopes", n)
	}
	want := storetest.Dump(t, s)
	if len(want.Analyses) != 3 || want.Analyses[0].Version != vs {
		t.Fatalf("analyses %+v", want.Analyses)
	}
	// The private version the stream replaced, saved whole and so in
	// memory, stays readable as its scope's previous one.
	if cells, err := s.CellStats(ctx, kume.CellFilter{Version: vp, Res: 9}); err != nil || len(cells) != 4 {
		t.Errorf("the replaced private version: %d cells, %v", len(cells), err)
	}
	closeStore(t, s)

	s = openDir(t, dir)
	storetest.AssertSameContents(t, storetest.Dump(t, s), want)
	cells, err := s.CellStats(ctx, kume.CellFilter{Version: vs, Res: 9})
	if err != nil || len(cells) != 4 || cells[0].Firms != 80 {
		t.Errorf("private cells after reopening: %+v, %v", cells, err)
	}
	ro, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AssertSameContents(t, storetest.Dump(t, ro), want)
	if err := ro.DeleteAnalysis(ctx, kume.AnalysisAll); kume.ErrorCode(err) != kume.EUNAVAILABLE {
		t.Errorf("DeleteAnalysis on a read-only store: %v", err)
	}

	if err := s.DeleteAnalysis(ctx, kume.AnalysisAll); err != nil {
		t.Fatal(err)
	}
	if n := len(analysisFiles(t, dir)); n != 2 {
		t.Errorf("%d analysis files after deleting a scope, want 2", n)
	}
	if err := s.DeleteDataset(ctx, priv.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(analysisFiles(t, dir)); n != 1 {
		t.Errorf("%d analysis files after deleting the private dataset, want 1", n)
	}
	want = storetest.Dump(t, s)
	closeStore(t, s)
	s = openDir(t, dir)
	defer closeStore(t, s)
	got := storetest.Dump(t, s)
	storetest.AssertSameContents(t, got, want)
	if len(got.Analyses) != 1 || got.Analyses[0].Scope != kume.AnalysisPublic || len(got.Keys[1].Grants) != 0 {
		t.Errorf("after deleting the private dataset: analyses %+v, grants %+v", got.Analyses, got.Keys[1].Grants)
	}
}

// TestReadManifestVersion1 opens a data directory whose MANIFEST has the
// layout of format version 1: one analysis file, keys without grants. The
// analysis is the public one, its run read from its file.
func TestReadManifestVersion1(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openDir(t, dir)
	pub := storetest.MustCreateDataset(t, s, "pub", kume.Public)
	storetest.MustImport(t, s, pub.ID, kume.ImportOptions{}, storetest.Firms())
	k := &kume.APIKey{Name: "reader", Scope: kume.ScopeRead, Hash: []byte("hash")}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	r := storetest.AnalysisResult()
	v, err := s.SaveAnalysis(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	st := s.snapshot()
	closeStore(t, s)

	// The MANIFEST as version 1 wrote it.
	var buf bytes.Buffer
	e := newEncoder(&buf, kindManifest)
	e.varint(st.version)
	e.varint(st.nextDataset)
	e.varint(st.nextEst)
	e.varint(st.nextKey)
	e.varint(st.nextFile)
	e.str(st.regionsFile)
	e.str(st.slot("").file)
	e.uvarint(uint64(len(st.datasets)))
	for _, d := range st.datasets {
		e.varint(d.ID)
		e.str(d.Name)
		e.str(d.Source)
		e.str(d.Licence)
		e.str(d.Attribution)
		e.str(string(d.Visibility))
		e.time(d.ImportedAt)
		e.int(d.Count)
		e.str(st.estFiles[d.ID])
	}
	e.uvarint(0) // value chains
	e.uvarint(uint64(len(st.keys)))
	for _, k := range st.keys {
		e.varint(k.ID)
		e.str(k.Name)
		e.str(string(k.Scope))
		e.bytes(k.Hash)
		e.time(k.CreatedAt)
		e.optTime(k.RevokedAt)
	}
	if err := e.flush(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	b[len(magic)+1] = 1
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli()))
	if err := os.WriteFile(filepath.Join(dir, manifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}

	s = openDir(t, dir)
	defer closeStore(t, s)
	runs, err := s.Analyses(ctx)
	if err != nil || len(runs) != 1 || runs[0].Version != v || runs[0].Scope != kume.AnalysisPublic || len(runs[0].Datasets) != 0 {
		t.Fatalf("analyses of a version 1 directory: %+v, %v", runs, err)
	}
	got, err := s.KeyByHash(ctx, []byte("hash"))
	if err != nil || got.ID != k.ID || len(got.Grants) != 0 {
		t.Fatalf("key of a version 1 directory: %+v, %v", got, err)
	}
	cells, err := s.CellStats(ctx, kume.CellFilter{Res: 9})
	if err != nil || len(cells) != 4 {
		t.Fatalf("cells of a version 1 directory: %d, %v", len(cells), err)
	}
	// The next write stores the MANIFEST as version 2.
	if err := s.GrantKey(ctx, k.ID, kume.Grant{DatasetID: pub.ID, Right: kume.RightRead}); err != nil {
		t.Fatal(err)
	}
	d, err := readFile(filepath.Join(dir, manifestName), kindManifest)
	if err != nil || d.version != manifestVersion {
		t.Fatalf("MANIFEST after a write: version %v, %v", d, err)
	}
}

package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/internal/pgtest"
)

// TestRegistersEmbedded and TestRegistersPostGIS import the generated
// national registers (registers_gen_test.go) with kume import on each store:
// every row is accounted for as planned, the dry run makes exactly the
// import's decisions, and an aborted import leaves nothing, dataset
// included.
func TestRegistersEmbedded(t *testing.T) {
	dir := t.TempDir()
	testRegisters(t, []string{"--store", dir}, func() kume.Store { return openMemory(t, dir) })
}

func TestRegistersPostGIS(t *testing.T) {
	url := pgtest.NewDatabase(t)
	testRegisters(t, []string{"--db", url}, func() kume.Store { return openPostGIS(t, url) })
}

func testRegisters(t *testing.T, storeArgs []string, open func() kume.Store) {
	regs := map[string]register{
		"fr-naf-lambert93": frenchRegister(1, 240),
		"be-nacebel":       belgianRegister(2, 220),
		"tr-gaziantep":     turkishRegister(3, 260),
	}
	mustRun(t, append([]string{"keys", "list"}, storeArgs...)...) // creates, or migrates, the store
	loaded := map[string]bool{}
	for _, name := range []string{"fr-naf-lambert93", "be-nacebel", "tr-gaziantep"} {
		reg := regs[name]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for _, r := range reg.regions {
				if loaded[r[0]] {
					continue
				}
				path := filepath.Join(dir, r[0]+".geojson")
				writeFile(t, path, []byte(r[1]))
				args := append([]string{"regions", "import", path, "--level", r[0]}, storeArgs...)
				if r[0] == "district" {
					args = append(args, "--parent-field", "il")
				}
				out := mustRun(t, args...).stdout
				if r[0] == "district" && !strings.Contains(out, "2 found, 1 of them written otherwise") {
					t.Errorf("district parents: %s", out)
				}
				loaded[r[0]] = true
			}
			file := filepath.Join(dir, reg.file)
			writeFile(t, file, reg.data)
			imp := func(extra ...string) result {
				args := append([]string{"import", file, "--dataset", name, "--json", "--no-analyze"}, storeArgs...)
				return run(t, append(append(args, reg.args...), extra...)...)
			}

			// The dry run, then the import with its default, abort: it
			// fails, and leaves nothing.
			st := open()
			v0, err := st.DataVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			dry := imp("--dry-run", "--on-error", "skip")
			if dry.err != nil {
				t.Fatalf("dry run: %v\n%s", dry.err, dry.stderr)
			}
			aborted := imp()
			if kume.ErrorCode(aborted.err) != kume.EINVALID || !strings.Contains(aborted.err.Error(), "not created") {
				t.Fatalf("import with planted bad rows and on-error abort: %v", aborted.err)
			}
			st = open()
			if _, err := st.DatasetByName(context.Background(), name); kume.ErrorCode(err) != kume.ENOTFOUND {
				t.Errorf("an aborted import left its dataset: %v", err)
			}
			if v, _ := st.DataVersion(context.Background()); v != v0 {
				t.Errorf("an aborted import moved the data version from %d to %d", v0, v)
			}
			st.Close()

			rejectsFile := filepath.Join(dir, "rejects.csv")
			r := imp("--on-error", "skip", "--rejects", rejectsFile)
			if r.err != nil {
				t.Fatalf("import: %v\n%s", r.err, r.stderr)
			}
			sum, drySum := importSummary(t, r), importSummary(t, dry)
			assertSameDecisions(t, drySum, sum)

			// Every row accounted for, as planned.
			rejected := 0
			byLine := map[int]ingest.Reject{}
			for _, rj := range sum.Rejects {
				byLine[rj.Line] = rj
			}
			for i, row := range reg.rows {
				if row.reason != "" {
					rejected++
					if rj, ok := byLine[i+2]; !ok || !strings.Contains(rj.Reason, row.reason) {
						t.Errorf("line %d: reject %+v, want one saying %q", i+2, rj, row.reason)
					}
				} else if rj, ok := byLine[i+2]; ok {
					t.Errorf("line %d rejected: %s", i+2, rj.Reason)
				}
			}
			if sum.Read != len(reg.rows) || sum.Rejected != rejected || sum.Inserted != len(reg.rows)-rejected || sum.RejectsOmitted != 0 {
				t.Errorf("read %d, inserted %d, rejected %d (%d omitted); planned %d rows, %d to reject",
					sum.Read, sum.Inserted, sum.Rejected, sum.RejectsOmitted, len(reg.rows), rejected)
			}
			st = open()
			defer st.Close()
			d, err := st.DatasetByName(context.Background(), name)
			if err != nil || d.Visibility != kume.Private || d.Count != sum.Inserted {
				t.Fatalf("dataset %+v, %v: want a private dataset of %d rows", d, err, sum.Inserted)
			}
			stored := map[string]kume.Establishment{}
			rows, err := st.Establishments(context.Background(), kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range rows {
				stored[e.SourceID] = e
			}
			for i, row := range reg.rows {
				if row.reason != "" || row.id == "" {
					continue
				}
				e, ok := stored[row.id]
				if !ok {
					t.Errorf("line %d (%s) not stored", i+2, row.id)
					continue
				}
				if e.NACE != row.nace || e.Precision != row.precision || !strings.Contains(e.Name, "SYNT") && !strings.Contains(e.Name, "SENTET") {
					t.Errorf("line %d stored as %s %s %q, want %s %s", i+2, e.NACE, e.Precision, e.Name, row.nace, row.precision)
				}
			}
			f, err := os.Open(rejectsFile)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil || len(recs) != rejected+1 {
				t.Errorf("rejects file: %d records (%v), want a header and %d rows", len(recs), err, rejected)
			}
			for _, rec := range recs[1:] {
				if line, _ := strconv.Atoi(rec[len(rec)-3]); reg.rows[line-2].reason == "" {
					t.Errorf("rejects file lists line %d, which is valid", line)
				}
			}
		})
	}
}

// assertSameDecisions fails the test unless a dry run and an import decided
// the same for every row.
func assertSameDecisions(t *testing.T, dry, imp ingest.Summary) {
	t.Helper()
	if !dry.DryRun || imp.DryRun {
		t.Errorf("dry run flags: %v, %v", dry.DryRun, imp.DryRun)
	}
	same := func(what string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			t.Errorf("the dry run and the import differ in %s:\n dry run %+v\n  import %+v", what, a, b)
		}
	}
	same("rows read", dry.Read, imp.Read)
	same("rows rejected", dry.Rejected, imp.Rejected)
	same("rejects", dry.Rejects, imp.Rejects)
	same("swapped rows", dry.Swapped, imp.Swapped)
	same("rows without sector", dry.UnknownSector, imp.UnknownSector)
	same("geocoded rows", dry.Geocoded, imp.Geocoded)
	same("national codes", dry.National, imp.National)
	same("columns", dry.Columns, imp.Columns)
	same("new dataset", [2]any{dry.NewDataset, dry.Visibility}, [2]any{imp.NewDataset, imp.Visibility})
	if imp.Read-imp.Rejected != imp.Inserted+imp.Updated+imp.Unchanged {
		t.Errorf("import: %d valid rows, %d written", imp.Read-imp.Rejected, imp.Inserted+imp.Updated+imp.Unchanged)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

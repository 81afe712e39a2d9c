package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kume-geo/kume/synth"
)

func TestGenDemoDeterministic(t *testing.T) {
	dir := t.TempDir()
	gen := func(name string, args ...string) []byte {
		path := filepath.Join(dir, name)
		mustRun(t, append([]string{"gen-demo", "--firms", "2000", "-o", path}, args...)...)
		return readFile(t, path)
	}
	a := gen("a.csv", "--seed", "42")
	b := gen("b.csv", "--seed", "42")
	c := gen("c.csv", "--seed", "43")
	if !bytes.Equal(a, b) {
		t.Error("same seed, different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same file")
	}
	r := mustRun(t, "gen-demo", "--firms", "2000", "--seed", "42", "-o", "-")
	if r.stdout != string(a) {
		t.Error("standard output differs from the file")
	}
	if !strings.HasPrefix(string(a), strings.Join(synth.Columns(), ",")+"\n") || !strings.Contains(string(a), "synth-00002000,Synthetic ") {
		t.Errorf("unexpected file: %.200s", a)
	}
	g1 := gen("a.geojson", "--seed", "42", "--format", "geojson")
	g2 := gen("b.geojson", "--seed", "42", "--format", "geojson")
	if !bytes.Equal(g1, g2) || !json.Valid(g1) {
		t.Error("GeoJSON output not deterministic or not JSON")
	}
}

func TestGenDemoCounts(t *testing.T) {
	r := mustRun(t, "gen-demo", "--firms", "5000", "--bad", "0.1", "--json", "-o", filepath.Join(t.TempDir(), "x.csv"))
	var st synth.Stats
	if err := json.Unmarshal([]byte(r.stderr), &st); err != nil {
		t.Fatalf("--json printed %q: %v", r.stderr, err)
	}
	bad := 0
	for _, n := range st.Bad {
		bad += n
	}
	if st.Rows != 5000 || st.Valid+bad != 5000 || bad < 300 || bad > 700 {
		t.Errorf("stats %+v: want about 10%% of the rows after the first %d bad", st, synth.WarmUp)
	}
	for _, args := range [][]string{
		{"gen-demo", "-o", "-"},
		{"gen-demo", "--firms", "10"},
		{"gen-demo", "--firms", "10", "--bad", "0.9", "-o", "-"},
		{"gen-demo", "--firms", "10", "--format", "xml", "-o", "-"},
	} {
		if r := run(t, args...); r.err == nil {
			t.Errorf("kume %s succeeded", strings.Join(args, " "))
		}
	}
}

func TestGenDemoPatterns(t *testing.T) {
	r := mustRun(t, "gen-demo", "--firms", "3000", "--seed", "5", "--patterns", "-o", "-")
	plain := mustRun(t, "gen-demo", "--firms", "3000", "--seed", "5", "-o", "-")
	if !strings.Contains(r.stdout, "(planted: new_hot_spot)") || !strings.Contains(r.stdout, ",26.30,") ||
		strings.Contains(plain.stdout, "(planted") {
		t.Errorf("--patterns does not plant, or plain output does")
	}
}

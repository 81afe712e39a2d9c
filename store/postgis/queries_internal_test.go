package postgis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryQueryEmbedded: each file of queries/ is embedded by exactly one
// //go:embed directive beside the function that runs it, so none is dead and
// none is loaded by name at run time. (A directive naming a missing file
// fails the build.)
func TestEveryQueryEmbedded(t *testing.T) {
	files, err := filepath.Glob("queries/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("queries: %v, %d files", err, len(files))
	}
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	embedded := map[string]int{}
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f, ok := strings.CutPrefix(line, "//go:embed "); ok {
				embedded[strings.TrimSpace(f)]++
			}
		}
	}
	for _, f := range files {
		if n := embedded[filepath.ToSlash(f)]; n != 1 {
			t.Errorf("%s is embedded %d times, want once", f, n)
		}
	}
	if len(embedded) != len(files) {
		t.Errorf("%d embed directives for %d query files", len(embedded), len(files))
	}
}

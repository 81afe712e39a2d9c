package api

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume/internal/teststores"
)

// ogrinfo runs GDAL's ogrinfo and returns stdout; it fails the test on a
// non-zero exit or an ERROR on stderr.
func ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogrinfo (gdal-bin) is required in CI")
		}
		t.Skip("ogrinfo not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil || strings.Contains(stderr.String(), "ERROR") {
		t.Fatalf("ogrinfo %v: %v\nstderr: %s\nstdout: %.2000s", args, err, stderr.String(), stdout.String())
	}
	return stdout.String()
}

var featureCountRE = regexp.MustCompile(`Feature Count: (\d+)`)

func featureCount(t *testing.T, out string) int {
	t.Helper()
	m := featureCountRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no feature count in:\n%.2000s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestOGCWithGDAL(t *testing.T) { onStores(t, testOGCWithGDAL) }

func testOGCWithGDAL(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, func(c *Config, _ *Deps) {})
	s.api.cfg.DefaultLimit = 40 // several pages per collection
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := "OAPIF:" + srv.URL + "/ogc"

	summary := ogrinfo(t, "-ro", "-al", "-so", url)
	for _, c := range []string{"establishments", "institutions", "hexagons", "clusters", "regions"} {
		if !strings.Contains(summary, "Layer name: "+c) {
			t.Errorf("collection %s not listed:\n%.3000s", c, summary)
		}
	}

	publicFirms := 250 // the private dataset's 5 establishments stay hidden
	occupied := 0
	for _, c := range st.analysis.Cells {
		if c.Firms > 0 {
			occupied++
		}
	}
	tests := []struct {
		layer string
		want  int
		spat  []string
	}{
		{"establishments", publicFirms, nil},
		{"institutions", 50, nil},
		{"hexagons", occupied, nil},
		{"clusters", 1, nil},
		{"regions", 1, nil},
		// the fixture's rows are 0.01° apart from 28.9/41.0: this box holds 4×3 points
		{"establishments", 12, []string{"28.895", "40.995", "28.935", "41.025"}},
	}
	for _, tc := range tests {
		t.Run(tc.layer+strings.Join(tc.spat, ","), func(t *testing.T) {
			args := []string{"-ro", url, tc.layer}
			if tc.spat != nil {
				args = append(args, "-spat")
				args = append(args, tc.spat...)
			}
			out := ogrinfo(t, args...)
			got := strings.Count(out, "OGRFeature(")
			if got != tc.want {
				t.Errorf("read %d features, want %d\n%.1500s", got, tc.want, out)
			}
			if strings.Contains(out, "Hidden") {
				t.Error("a private establishment reached a public OGC client")
			}
		})
	}
	if n := featureCount(t, ogrinfo(t, "-ro", "-so", url, "establishments")); n != publicFirms {
		t.Errorf("feature count %d, want %d", n, publicFirms)
	}
}

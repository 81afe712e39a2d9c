package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume/internal/teststores"
)

// TestExportRoundTripsThroughOGR2OGR: every GeoJSON export is read by GDAL,
// converted by ogr2ogr to GeoJSON again, and the copy holds the same number
// of features.
func TestExportRoundTripsThroughOGR2OGR(t *testing.T) {
	onStores(t, testExportRoundTripsThroughOGR2OGR)
}

func testExportRoundTripsThroughOGR2OGR(t *testing.T, kind teststores.Kind) {
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogr2ogr (gdal-bin) is required in CI")
		}
		t.Skip("ogr2ogr not installed")
	}
	s, _, _ := newTestServer(t, kind, func(c *Config, _ *Deps) {})
	srv := httptest.NewServer(s)
	defer srv.Close()
	dir := t.TempDir()
	for _, layer := range []string{"establishments", "institutions", "hexagons", "clusters", "regions"} {
		res, err := http.Get(srv.URL + "/api/v1/export/" + layer + ".geojson")
		if err != nil {
			t.Fatal(err)
		}
		in := filepath.Join(dir, layer+".geojson")
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, %v", layer, res.StatusCode, err)
		}
		if err := os.WriteFile(in, body, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, layer+".copy.geojson")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, bin, "-f", "GeoJSON", out, in)
		msg, err := cmd.CombinedOutput()
		cancel()
		if err != nil || strings.Contains(string(msg), "ERROR") {
			t.Fatalf("ogr2ogr %s: %v\n%s", layer, err, msg)
		}
		want := featureCount(t, ogrinfo(t, "-ro", "-al", "-so", in))
		if got := featureCount(t, ogrinfo(t, "-ro", "-al", "-so", out)); got != want || want == 0 {
			t.Errorf("%s: %d features after ogr2ogr, %d before (want the same, and some)", layer, got, want)
		}
	}
}

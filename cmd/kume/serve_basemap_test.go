package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBasemapFlags checks --basemap and its companions: a style URL, a raster
// template, the origins a style loads from, and clear errors for the rest.
func TestBasemapFlags(t *testing.T) {
	r := mustRun(t, "serve", "--basemap", "https://tiles.openfreemap.org/styles/liberty",
		"--basemap-attribution", "OpenFreeMap © OpenMapTiles Data from OpenStreetMap",
		"--basemap-origin", "https://fonts.example.net/", "--print-config")
	var cfg struct {
		Basemap struct {
			Kind, URL, Attribution string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil {
		t.Fatalf("--print-config printed %q: %v", r.stdout, err)
	}
	if cfg.Basemap.Kind != "style" || cfg.Basemap.URL != "https://tiles.openfreemap.org/styles/liberty" || !strings.HasPrefix(cfg.Basemap.Attribution, "OpenFreeMap") {
		t.Errorf("basemap %+v", cfg.Basemap)
	}
	r = mustRun(t, "serve", "--print-config")
	if !strings.Contains(r.stdout, `"kind": "offline"`) {
		t.Errorf("the default basemap is not offline: %s", r.stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--basemap", "ftp://example.org/style.json", "--print-config"}, "--basemap"},
		{[]string{"serve", "--basemap", "raster:https://example.org/tiles.png", "--print-config"}, "{z}, {x} and {y}"},
		{[]string{"serve", "--basemap-origin", "https://a.org/path", "--print-config"}, "--basemap-origin"},
	} {
		r := run(t, tc.args...)
		if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, r.err, tc.want)
		}
	}
}

package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

func TestSettingsApply(t *testing.T) {
	var o Options
	err := Settings{
		"kind": {"institution"}, "format": {"csv"}, "crs": {"EPSG:2154"}, "encoding": {"windows-1252"},
		"on-error": {"skip"}, "replace": {""}, "closed-at": {"2023-04-30"}, "visibility": {"public"}, "dry-run": {"false"},
		"mapping": {"name: Raison sociale\nnace: Code NAF"}, "map": {"nace=APE", "lat=Y"},
	}.Apply(&o)
	if err != nil {
		t.Fatal(err)
	}
	want := Mapping{"name": "Raison sociale", "nace": "APE", "lat": "Y"}
	if o.Kind != kume.KindInstitution || o.Format != FormatCSV || o.CRS != "EPSG:2154" || o.Encoding != "windows-1252" ||
		o.OnError != Skip || !o.Replace || o.DryRun || o.Visibility != kume.Public ||
		o.ClosedAt == nil || !o.ClosedAt.Equal(time.Date(2023, 4, 30, 0, 0, 0, 0, time.UTC)) || len(o.Mapping) != len(want) {
		t.Fatalf("options %+v", o)
	}
	for k, v := range want {
		if o.Mapping[k] != v {
			t.Errorf("mapping %v, want %v (map wins over mapping)", o.Mapping, want)
		}
	}
	for _, tt := range []struct {
		s    Settings
		want string
	}{
		{Settings{"kind": {"shop"}}, "import option kind"},
		{Settings{"crs": {"EPSG:31467"}}, "import option crs"},
		{Settings{"encoding": {"ebcdic"}}, "import option encoding"},
		{Settings{"on-error": {"ignore"}}, "import option on-error"},
		{Settings{"closed-at": {"30.04.2023"}}, "import option closed-at"},
		{Settings{"visibility": {"secret"}}, "import option visibility"},
		{Settings{"dry-run": {"maybe"}}, "import option dry-run"},
		{Settings{"map": {"nace"}}, "import option map"},
		{Settings{"map": {"colour=x"}}, "import option map"},
		{Settings{"mapping": {"[not a map"}}, "import option mapping"},
		{Settings{"kind": {"firm", "institution"}}, "given 2 times"},
		{Settings{"rejects": {"x.csv"}}, "unknown import option"},
		{Settings{"crs": {strings.Repeat("x", 70000)}}, "longer than"},
	} {
		var o Options
		err := tt.s.Apply(&o)
		if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Apply(%v): %v, want EINVALID with %q", tt.s, err, tt.want)
		}
	}
}

// TestOptionSpecs: every option has a help text, names are unique, and
// only map repeats.
func TestOptionSpecs(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range OptionSpecs() {
		if o.Help == "" || seen[o.Name] || (o.Repeat != (o.Name == "map")) {
			t.Errorf("option %+v", o)
		}
		seen[o.Name] = true
		if got, ok := OptionSpecByName(o.Name); !ok || got.Name != o.Name {
			t.Errorf("OptionSpecByName(%q)", o.Name)
		}
	}
}

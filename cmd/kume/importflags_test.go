package main

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/kume-geo/kume/ingest"
)

// TestImportOptionsAgree: kume import's flags, the upload's options and the
// OpenAPI document's parameters of the upload route are the same options
// (ingest.OptionSpecs), with the same defaults.
func TestImportOptionsAgree(t *testing.T) {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	registerSettings(fs)
	im := importer{}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name    string `json:"name"`
				In      string `json:"in"`
				Explode bool   `json:"explode"`
				Schema  struct {
					Type    string `json:"type"`
					Default any    `json:"default"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	b, err := os.ReadFile("../../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string][3]string{}
	for _, p := range doc.Paths["/api/v1/datasets/{id}/imports"]["post"].Parameters {
		if p.In == "query" {
			def, _ := p.Schema.Default.(string)
			documented[p.Name] = [3]string{p.Schema.Type, def, map[bool]string{true: "repeat"}[p.Explode]}
		}
	}
	want := map[string][3]string{}
	for i, o := range ingest.OptionSpecs() {
		typ := "string"
		if o.Switch() {
			typ = "boolean"
		} else if o.Repeat {
			typ = "array"
		}
		want[o.Name] = [3]string{typ, o.Default, map[bool]string{true: "repeat"}[o.Repeat]}
		f := fs.Lookup(o.Name)
		if f == nil {
			t.Errorf("kume import has no flag --%s", o.Name)
		} else if !o.File && f.DefValue != o.Default {
			t.Errorf("--%s defaults to %q, the option to %q", o.Name, f.DefValue, o.Default)
		}
		if got := im.Options()[i]; got.Name != o.Name || got.Default != o.Default || got.Repeat != o.Repeat {
			t.Errorf("upload option %+v, want %+v", got, o)
		}
	}
	if !reflect.DeepEqual(documented, want) {
		t.Errorf("openapi.json documents the upload options\n%v\nwant\n%v", documented, want)
	}
}

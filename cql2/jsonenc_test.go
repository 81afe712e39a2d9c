package cql2

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb/geojson"
)

// toJSON writes a tree in the CQL2 JSON encoding (an independent writer,
// for the round trip below).
func toJSON(e Expr) any {
	op := func(name string, args ...Expr) any {
		out := make([]any, len(args))
		for i, a := range args {
			out[i] = toJSON(a)
		}
		return map[string]any{"op": name, "args": out}
	}
	end := func(e Expr) any {
		switch e := e.(type) {
		case *Date:
			return e.Value
		case *Timestamp:
			return e.Value.Format(time.RFC3339Nano)
		case *Unbounded:
			return ".."
		}
		return toJSON(e)
	}
	switch e := e.(type) {
	case *Logical:
		return op(e.Op, e.Args...)
	case *Not:
		return op("not", e.Arg)
	case *Comparison:
		return op(e.Op, e.Left, e.Right)
	case *Like:
		return op("like", e.Value, e.Pattern)
	case *Between:
		return op("between", e.Value, e.Low, e.High)
	case *In:
		return map[string]any{"op": "in", "args": []any{toJSON(e.Value), toJSON(&Array{Items: e.List})}}
	case *IsNull:
		return op("isNull", e.Arg)
	case *Call:
		return op(e.Op, e.Args...)
	case *Arithmetic:
		return op(e.Op, e.Left, e.Right)
	case *Property:
		return map[string]any{"property": e.Name}
	case *Text:
		return e.Value
	case *Number:
		return e.Value
	case *Bool:
		return e.Value
	case *Date:
		return map[string]any{"date": e.Value}
	case *Timestamp:
		return map[string]any{"timestamp": e.Value.Format(time.RFC3339Nano)}
	case *Interval:
		return map[string]any{"interval": []any{end(e.Start), end(e.End)}}
	case *Geometry:
		b, _ := json.Marshal(geojson.NewGeometry(e.Geom))
		return json.RawMessage(b)
	case *BBox:
		return map[string]any{"bbox": []float64{e.West, e.South, e.East, e.North}}
	case *Array:
		out := make([]any, len(e.Items))
		for i, it := range e.Items {
			out[i] = toJSON(it)
		}
		return out
	}
	return nil
}

// TestTextJSONRoundTrip writes every test predicate of the abstract test
// suite and every text example in the JSON encoding and parses it back:
// the JSON parser must give the tree the text parser gave.
func TestTextJSONRoundTrip(t *testing.T) {
	var texts []string
	for _, r := range readATS(t) {
		texts = append(texts, r.pred)
	}
	paths, _ := filepath.Glob("testdata/examples/text/*.txt")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	for _, src := range texts {
		te, err := ParseText(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		js, err := json.Marshal(toJSON(te))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		je, err := ParseJSON(js)
		if err != nil {
			t.Errorf("%s\nas JSON %s: %v", src, js, err)
			continue
		}
		if je.String() != te.String() {
			t.Errorf("%s\ntext -> %s\njson %s\n  -> %s", src, te, js, je)
		}
	}
	if len(texts) < 350 {
		t.Errorf("only %d expressions", len(texts))
	}
}

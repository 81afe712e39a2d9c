package emerging_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
)

func parse(q string) (emerging.Options, error) {
	v, err := url.ParseQuery(q)
	if err != nil {
		panic(err)
	}
	return emerging.ParseOptions(func(name string) (string, bool) {
		_, ok := v[name]
		return v.Get(name), ok
	})
}

func TestParseOptions(t *testing.T) {
	o, err := parse("")
	if err != nil || o != emerging.DefaultOptions() || len(o.Values()) != 0 {
		t.Fatalf("no parameters: %+v %v (values %v)", o, err, o.Values())
	}
	o, err = parse("res=6&step=quarter&from=2015-Q1&to=2024&k=2&window=0&undated=omit&measure=employment&alpha=0.01&fdr=false")
	want := emerging.Options{Res: 6, Step: geo.StepQuarter, From: "2015-Q1", To: "2024", K: 2, Window: 0,
		Undated: geo.UndatedOmit, Employment: true, Level: 3, FDR: false}
	if err != nil || o != want {
		t.Fatalf("all parameters: %+v %v", o, err)
	}
	if got := o.Values().Encode(); got != "alpha=0.01&fdr=false&from=2015-Q1&k=2&measure=employment&res=6&step=quarter&to=2024&undated=omit&window=0" {
		t.Errorf("canonical form %s", got)
	}
	// The canonical form reads back as the same options; defaults given
	// explicitly are the defaults.
	back, err := parse(o.Values().Encode())
	if err != nil || back != o {
		t.Errorf("round trip: %+v %v", back, err)
	}
	if d, err := parse("res=7&step=year&window=1&undated=present&measure=firms&alpha=0.10&fdr=true&step="); err != nil || d != emerging.DefaultOptions() {
		t.Errorf("explicit defaults: %+v %v", d, err)
	}
	// A form's empty fields are absent parameters.
	if d, err := parse("step=&from=&to=&undated=&measure="); err != nil || d != emerging.DefaultOptions() {
		t.Errorf("empty values: %+v %v", d, err)
	}
	for _, a := range []string{"0.1", "1e-1", ".10", "0.05", "5e-2", "0.010"} {
		if _, err := parse("alpha=" + a); err != nil {
			t.Errorf("alpha=%s: %v", a, err)
		}
	}
	for _, c := range []struct{ q, name string }{
		{"res=10", "res"}, {"res=-1", "res"}, {"res=", "res"}, {"res=7.0", "res"},
		{"k=0", "k"}, {"k=11", "k"}, {"window=25", "window"}, {"window=x", "window"},
		{"step=week", "step"}, {"from=2015-13", "from"}, {"to=soon", "to"}, {"to=2015-Q5", "to"},
		{"undated=sometimes", "undated"}, {"measure=turnover", "measure"},
		{"alpha=0.2", "alpha"}, {"alpha=0x1.999999999999ap-4", "alpha"}, {"alpha=", "alpha"}, {"alpha=NaN", "alpha"},
		{"fdr=maybe", "fdr"}, {"fdr=", "fdr"},
		{"from=" + strings.Repeat("9", 300), "from"}, {"step=%00", "step"}, {"to=%ff", "to"},
	} {
		_, err := parse(c.q)
		if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), `parameter "`+c.name+`"`) {
			t.Errorf("%s: %v, want an invalid %s", c.q, err, c.name)
		}
	}
}

// FuzzParseOptions checks that any query either parses into options that
// validate and whose canonical form reads back the same, or is an EINVALID
// error naming a parameter.
func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{"", "res=6&step=quarter&from=2015-Q1&to=2024", "alpha=0.05&fdr=false&window=0&k=3",
		"alpha=1e-1", "alpha=.01", "measure=employment&undated=omit", "step=month&from=2020-01&to=2020-12-31",
		"res=99", "from=2015-Q9", "to=%00", "k=-1", "window=+3", "fdr=1", "step=&undated=&measure="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		o, err := emerging.ParseOptions(func(name string) (string, bool) {
			_, ok := v[name]
			return v.Get(name), ok
		})
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), `parameter "`) {
				t.Fatalf("%q: %v", q, err)
			}
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("%q parsed into invalid options %+v: %v", q, o, err)
		}
		back, err := parse(o.Values().Encode())
		if err != nil || back != o {
			t.Fatalf("%q: %+v reads back as %+v, %v", q, o, back, err)
		}
	})
}

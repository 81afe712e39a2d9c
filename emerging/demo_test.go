package emerging_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kume-geo/kume/demo"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/store/memory"
)

// TestDemoLacks: on the bundled Berlin demo (real data, no founding dates,
// deregistrations of April to July 2023 only) the emerging analysis says
// both, in English and Turkish, with the dates it found.
func TestDemoLacks(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, tax); err != nil {
		t.Fatal(err)
	}
	e, err := emerging.New(st, nil, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ans, _, err := e.Run(ctx, emerging.Request{Options: emerging.DefaultOptions(), Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Dates.Founded.Count != 0 || ans.Dates.Closed.First != "2023-04-30" || ans.Dates.Closed.Last != "2023-07-31" || ans.Firms.Undated != ans.Firms.Matched {
		t.Fatalf("dates %+v, firms %+v", ans.Dates, ans.Firms)
	}
	lacks := ans.Lacks()
	if len(lacks) != 2 || !strings.Contains(lacks[0].EN, "Founding dates are unknown for all") || !strings.Contains(lacks[0].TR, "hiçbirinin kuruluş tarihi bilinmiyor") ||
		!strings.Contains(lacks[1].EN, "from 2023-04-30 to 2023-07-31") || !strings.Contains(lacks[1].TR, "2023-04-30 – 2023-07-31") {
		t.Errorf("lacks %+v", lacks)
	}
	if s := ans.Steps(); s[len(s)-1].Label != "2023" {
		t.Errorf("the span ends %s, want the year of the last closing date", s[len(s)-1].Label)
	}
}

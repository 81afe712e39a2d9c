package emerging_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/store/memory"
)

func TestGroupOf(t *testing.T) {
	want := map[geo.Category]emerging.Group{
		geo.NoPattern:  emerging.GroupNone,
		geo.NewHotSpot: emerging.GroupEmerging, geo.ConsecutiveHotSpot: emerging.GroupEmerging, geo.IntensifyingHotSpot: emerging.GroupEmerging,
		geo.PersistentHotSpot:  emerging.GroupPersistent,
		geo.DiminishingHotSpot: emerging.GroupDiminishing, geo.HistoricalHotSpot: emerging.GroupDiminishing,
		geo.SporadicHotSpot: emerging.GroupIntermittent, geo.OscillatingHotSpot: emerging.GroupIntermittent,
	}
	for _, c := range geo.Categories() {
		w, ok := want[c]
		if !ok {
			w = emerging.GroupCold
		}
		if g := emerging.GroupOf(c); g != w {
			t.Errorf("%s: group %s, want %s", c, g, w)
		}
		if c.Emerging() != (w == emerging.GroupEmerging) {
			t.Errorf("%s: Emerging() = %v", c, c.Emerging())
		}
	}
}

// TestLacks builds a register like the Berlin demo's (made up here): no firm
// has a founding date and the closing dates fall in four months of the last
// year. The answer says both, in both languages; the dynamics of a cell
// outside the answer count it as without a pattern.
func TestLacks(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	var rows []kume.Establishment
	for i := range 400 {
		e := kume.Establishment{SourceID: "f" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Name: "Synthetic firm", Kind: kume.KindFirm,
			NACE: "47.11", Lon: 13.40 + float64(i%20)*0.004, Lat: 52.50 + float64(i/20)*0.003, Precision: kume.PrecisionAddress}
		if i%3 == 0 {
			closed := time.Date(2023, time.Month(4+i%4), 28, 0, 0, 0, 0, time.UTC)
			e.Closed = &closed
		}
		rows = append(rows, e)
	}
	importRows(t, st, &kume.Dataset{Name: "flow", Visibility: kume.Public}, rows)
	e, err := emerging.New(st, nil, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ans, _, err := e.Run(ctx, emerging.Request{Options: emerging.DefaultOptions(), Sector: "47", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	lacks := ans.Lacks()
	if len(lacks) != 2 || !strings.HasPrefix(lacks[0].EN, "Founding dates are unknown for all 400 firms: they count as present from the first step") ||
		!strings.HasPrefix(lacks[0].TR, "400 firmanın hiçbirinin kuruluş tarihi bilinmiyor") ||
		!strings.HasPrefix(lacks[1].EN, "Closing dates run only from 2023-04-28 to 2023-07-28") || !strings.Contains(lacks[1].TR, "2023-04-28 – 2023-07-28") {
		t.Fatalf("lacks %+v", lacks)
	}
	if s := ans.Steps(); s[0].Label != "2014" || s[len(s)-1].Label != "2023" {
		t.Errorf("span %s..%s, want the ten years to the last closing date", s[0].Label, s[len(s)-1].Label)
	}
	far, err := geo.CellOf(30, 40, 7)
	if err != nil {
		t.Fatal(err)
	}
	d := ans.Dynamics([]uint64{ans.Cells[0].Cell, far})
	if d.Cells != 2 || d.Categories["no_pattern"] < 1 || d.Groups[emerging.GroupNone] < 1 || len(d.Lacks) != 2 ||
		!strings.HasPrefix(d.Summary.EN, "2 cells (H3 resolution 7): ") || !strings.HasSuffix(d.Summary.EN, "; 2014–2023, yearly steps.") {
		t.Errorf("dynamics %+v", d)
	}
	omit := emerging.DefaultOptions()
	omit.Undated = geo.UndatedOmit
	if _, _, err := e.Run(ctx, emerging.Request{Options: omit, Sector: "47", Public: true}); err != nil {
		t.Errorf("every firm left out: %v", err)
	}
}

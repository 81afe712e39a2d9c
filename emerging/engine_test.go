package emerging_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/kume-geo/kume/synth"
)

// planted asks for the planted span at resolution 7.
func planted(sector string) emerging.Request {
	o := emerging.DefaultOptions()
	o.From, o.To = "2015", "2024"
	return emerging.Request{Options: o, Sector: sector, Public: true}
}

// TestEnginePlanted runs the engine on both stores over generated firms with
// planted patterns: each is recovered at its place and in its category, and
// the answer's features are the result's cells with a firm or a pattern.
func TestEnginePlanted(t *testing.T) {
	teststores.Run(t, func(t *testing.T, kind teststores.Kind) { testEnginePlanted(t, teststores.Open(t, kind)) })
}

func testEnginePlanted(t *testing.T, st kume.Store) {
	ctx := context.Background()
	loadPlanted(t, st, 1)
	e, err := emerging.New(st, nil, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pat := range synth.PlantedPatterns() {
		ans, cached, err := e.Run(ctx, planted(pat.NACE))
		if err != nil || cached {
			t.Fatalf("%s: %v (cached %v)", pat.Name, err, cached)
		}
		cell, err := geo.CellOf(pat.Lon, pat.Lat, 7)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := ans.Cell(cell)
		if !ok || c.Category != string(pat.Category) || c.Code != pat.Category.Code() || c.Sector != pat.NACE || c.Res != 7 {
			t.Errorf("%s: planted cell %x = %+v (found %v)", pat.Name, cell, c, ok)
		}
		checkFeatures(t, ans)
		if steps := ans.Steps(); len(steps) != 10 || steps[0].Label != "2015" || steps[9].End != "2024-12-31" {
			t.Errorf("%s: steps %+v", pat.Name, steps)
		}
		if ans.Firms.Matched == 0 || ans.Firms.Counted == 0 || ans.Dates.Founded.Count == 0 || ans.Provenance.Layer != "emerging" ||
			ans.Provenance.Filters["sector"] != pat.NACE || ans.Provenance.Filters["from"] != "2015" {
			t.Errorf("%s: firms %+v dates %+v provenance %+v", pat.Name, ans.Firms, ans.Dates, ans.Provenance)
		}
		again, cached, err := e.Run(ctx, planted(pat.NACE))
		if err != nil || !cached || again != ans {
			t.Errorf("%s: asked again: cached %v, same answer %v, %v", pat.Name, cached, again == ans, err)
		}
	}
}

// checkFeatures checks that the answer's features are exactly the result's
// cells holding a firm at some step or having a pattern, in cell order, with
// the result's category, trend and final step.
func checkFeatures(t *testing.T, ans *emerging.Answer) {
	t.Helper()
	r := ans.Result
	j := 0
	for i, cell := range r.Cells {
		lo, hi := r.Series(i)
		occupied := slices.ContainsFunc(r.Firms[lo:hi], func(n int32) bool { return n > 0 })
		if !occupied && r.Category[i] == geo.NoPattern {
			if _, ok := ans.Cell(cell); ok {
				t.Fatalf("cell %x: an empty cell without a pattern is a feature", cell)
			}
			continue
		}
		if j >= len(ans.Cells) {
			t.Fatalf("%d features, want more", len(ans.Cells))
		}
		c := ans.Cells[j]
		j++
		tr := r.Trend(i)
		hot := 0
		for _, b := range r.Bins[lo:hi] {
			if int(b) >= r.Params.Level {
				hot++
			}
		}
		if c.Cell != cell || c.Category != string(r.Category[i]) || c.TrendS != tr.S || c.HotSteps != hot ||
			c.FinalBin != int(r.Bins[hi-1]) || c.Firms != int(r.Firms[hi-1]) || c.Suppressed != r.Suppressed[hi-1] {
			t.Fatalf("feature %d = %+v, want cell %x %s S %d hot %d", j, c, cell, r.Category[i], tr.S, hot)
		}
	}
	if j != len(ans.Cells) {
		t.Fatalf("%d features, want %d", len(ans.Cells), j)
	}
}

// TestEngineShares checks that identical requests share one computation,
// that an answer is kept until the data changes, that callers with a key and
// anonymous ones get different answers, and that a refused request is not
// computed again.
func TestEngineShares(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: memory.New()}
	loadPlanted(t, st, 2)
	e, err := emerging.New(st, nil, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	req := planted("26.12")
	var wg sync.WaitGroup
	answers := make([]*emerging.Answer, 8)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _, err := e.Run(ctx, req)
			if err != nil {
				t.Error(err)
			}
			answers[i] = a
		}()
	}
	wg.Wait()
	if n := st.reads.Load(); n != 1 {
		t.Errorf("8 identical requests read the firms %d times, want once", n)
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatal("identical requests got different answers")
		}
	}
	keyed := req
	keyed.Public = false
	if a, cached, err := e.Run(ctx, keyed); err != nil || cached || a == answers[0] {
		t.Errorf("a caller with a key got the anonymous answer (cached %v): %v", cached, err)
	}

	// A cube beyond the anonymous bound is refused with advice, once.
	big := planted("")
	big.Res, big.K = 9, 10
	reads := st.reads.Load()
	for range 3 {
		_, _, err := e.Run(ctx, big)
		if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), "lower k") {
			t.Fatalf("a cube beyond the bound: %v", err)
		}
	}
	if n := st.reads.Load() - reads; n != 1 {
		t.Errorf("a refused request read the firms %d times, want once", n)
	}

	// A new data version computes again.
	d, err := st.DatasetByName(ctx, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	founded := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	storetest.MustImport(t, st, d.ID, kume.ImportOptions{}, []kume.Establishment{{SourceID: "late", Name: "Synthetic late firm", Kind: kume.KindFirm,
		NACE: "26.12", Lon: 34.16, Lat: 39.15, Precision: kume.PrecisionAddress, Founded: &founded}})
	if a, cached, err := e.Run(ctx, req); err != nil || cached || a == answers[0] || a.Firms.Matched != answers[0].Firms.Matched+1 {
		t.Errorf("after an import: cached %v, matched %d: %v", cached, a.Firms.Matched, err)
	}
	if n, size := e.Cached(); n != 1 || size <= 0 {
		t.Errorf("kept %d answers of %d bytes after the data changed, want the new one only", n, size)
	}
}

// TestEngineTurns checks the bound on computations at once and that a
// computation stops when its only caller goes.
func TestEngineTurns(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: memory.New()}
	loadPlanted(t, st, 3)
	e, err := emerging.New(st, nil, emerging.Config{MaxRunning: 1, MaxWaiting: 1})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := st.hold()
	first := make(chan error, 1)
	go func() {
		_, _, err := e.Run(ctx, planted("26.11"))
		first <- err
	}()
	<-entered // the first computation runs, and holds the only turn
	bctx, cancelB := context.WithCancel(ctx)
	second := make(chan error, 1)
	go func() {
		_, _, err := e.Run(bctx, planted("26.12"))
		second <- err
	}()
	// The second waits for a turn; a third has no place.
	for i := 0; e.InFlight() < 2; i++ {
		if i > 500 {
			t.Fatal("the second computation never waited")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, _, err3 := e.Run(ctx, planted("26.20")); kume.ErrorCode(err3) != kume.EUNAVAILABLE {
		t.Errorf("a third computation at once: %v, want unavailable", err3)
	}
	cancelB()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("a waiting caller that went: %v", err)
	}
	release()
	if err := <-first; err != nil {
		t.Errorf("the running computation: %v", err)
	}

	// A computation whose only caller goes stops: its read ends, and the next
	// request computes anew.
	entered, release = st.hold()
	defer release()
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, _, err := e.Run(cctx, planted("26.30"))
		done <- err
	}()
	<-entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the only caller went: %v", err)
	}
	reads := st.reads.Load()
	go func() {
		_, _, err := e.Run(ctx, planted("26.30"))
		done <- err
	}()
	<-entered
	if st.reads.Load() != reads+1 {
		t.Error("the abandoned computation was joined instead of started anew")
	}
	release()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

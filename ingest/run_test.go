package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

func fixedNow() time.Time { return time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC) }

func runString(t *testing.T, st Store, name, data string, opts Options) (Summary, error) {
	t.Helper()
	if opts.Dataset == "" {
		opts.Dataset = "test"
	}
	opts.Now = fixedNow
	return Run(context.Background(), st, []Source{{Name: name, Reader: strings.NewReader(data)}}, opts, nil)
}

func openTestdata(t *testing.T, name string) Source {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return Source{Name: name, Reader: f}
}

func TestRunBerlin(t *testing.T) { onStores(t, testRunBerlin) }

func testRunBerlin(t *testing.T, kind teststores.Kind) {
	st := newTestStore(t, kind)
	var rejects bytes.Buffer
	opts := Options{Dataset: "berlin", OnError: Skip, Rejects: &rejects, Now: fixedNow}
	sum, err := Run(context.Background(), st, []Source{openTestdata(t, "berlin_2023_04_added.csv")}, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 65 rows: 60 complete, 2 without coordinates (rejected: no geocoder), 2
	// without NACE code (kept, unknown sector), 1 with an unknown band.
	if sum.Read != 65 || sum.Inserted != 63 || sum.Rejected != 2 || sum.UnknownSector != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	for _, r := range sum.Rejects {
		if !strings.HasPrefix(r.Reason, "missing coordinates, and no geocoder to place the address (") || r.Line < 62 {
			t.Errorf("reject %v", r)
		}
	}
	rows, err := csv.NewReader(&rejects).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][len(rows[0])-1] != "reject_reason" || !strings.HasPrefix(rows[1][0], "130") {
		t.Errorf("rejects file = %q, %v", rows, err)
	}
	stored := st.rows(t, "berlin")
	e := stored["8313606544"]
	if e.NACE != "66.22" || e.Lat != 52.510393573 || e.Lon != 13.37832739 || e.Employees != kume.ExactEmployees(0) {
		t.Errorf("row = %+v", e)
	}
	if e.Attrs["Bezirk"] != "Mitte" || e.Attrs["Ortsteil"] != "Mitte" || e.Address.Postcode != "10117" || e.Address.Province != "Berlin" {
		t.Errorf("attrs/address = %v %+v", e.Attrs, e.Address)
	}
	if e.Precision != kume.PrecisionAddress || e.GeocodeSource != "source" || e.Cell == 0 || e.Kind != kume.KindFirm {
		t.Errorf("row = %+v", e)
	}
	if b := stored["126813561254"].Employees; b != kume.EmployeeBand(200, 499) {
		t.Errorf("band = %+v", b)
	}
	if d := st.dataset(t, "berlin"); d == nil || d.Visibility != kume.Private {
		t.Errorf("dataset = %+v", d)
	}

	// Re-importing changes nothing.
	sum, err = Run(context.Background(), st, []Source{openTestdata(t, "berlin_2023_04_added.csv")}, opts, nil)
	if err != nil || sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != 63 {
		t.Fatalf("re-import: %+v, %v", sum, err)
	}

	// Abort (the default) writes nothing when a row is invalid.
	opts.OnError = ""
	sum, err = Run(context.Background(), st, []Source{openTestdata(t, "berlin_2023_04_added.csv")}, opts, nil)
	if kume.ErrorCode(err) != kume.EINVALID || sum.Rejected != 2 {
		t.Fatalf("abort: %+v, %v", sum, err)
	}
}

func TestRunClosures(t *testing.T) { onStores(t, testRunClosures) }

func testRunClosures(t *testing.T, kind teststores.Kind) {
	st := newTestStore(t, kind)
	closed := time.Date(2023, 4, 30, 0, 0, 0, 0, time.UTC)
	opts := Options{Dataset: "exits", ClosedAt: &closed, Now: fixedNow}
	sum, err := Run(context.Background(), st, []Source{openTestdata(t, "berlin_2023_04_deleted.csv")}, opts, nil)
	if err != nil || sum.Inserted != 25 {
		t.Fatalf("%+v, %v", sum, err)
	}
	rows := st.rows(t, "exits")
	if len(rows) != 25 {
		t.Fatalf("%d rows stored, want 25", len(rows))
	}
	for _, e := range rows {
		if e.Closed == nil || !e.Closed.Equal(closed) {
			t.Fatalf("closed = %v", e.Closed)
		}
	}
}

func TestRunReplace(t *testing.T) { onStores(t, testRunReplace) }

func testRunReplace(t *testing.T, kind teststores.Kind) {
	st := newTestStore(t, kind)
	data := "id,lat,lon\na,41,29\nb,41.1,29.1\n"
	if _, err := runString(t, st, "x.csv", data, Options{}); err != nil {
		t.Fatal(err)
	}
	sum, err := runString(t, st, "x.csv", "id,lat,lon\na,41,29\n", Options{Replace: true})
	if err != nil || sum.Closed != 1 || sum.Unchanged != 1 {
		t.Fatalf("%+v, %v", sum, err)
	}
}

func TestRunBatches(t *testing.T) { onStores(t, testRunBatches) }

func testRunBatches(t *testing.T, kind teststores.Kind) {
	st := newTestStore(t, kind)
	var b strings.Builder
	b.WriteString("id;lat;lon;nace\n")
	for i := 0; i < 2500; i++ { // generated rows, deterministic
		b.WriteString(strings.Join([]string{"r" + strconv.Itoa(i), "41,0" + strconv.Itoa(i%10), "29,1", "13.20"}, ";") + "\n")
	}
	sum, err := runString(t, st, "gen.csv", b.String(), Options{BatchSize: 1000})
	if err != nil || sum.Inserted != 2500 || st.adds != 3 {
		t.Fatalf("%+v, %v, %d adds", sum, err, st.adds)
	}
}

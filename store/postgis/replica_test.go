package postgis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/store/storetest"
)

// fastReplicas are router settings that let a test see each change within
// a fraction of a second.
func fastReplicas() postgis.ReplicaConfig {
	return postgis.ReplicaConfig{MaxStaleness: 50 * time.Millisecond, Recheck: 20 * time.Millisecond,
		Backoff: 200 * time.Millisecond, ProbeTimeout: 2 * time.Second}
}

// openReplicated migrates the primary's database, waits until the standby
// has replayed the migration, and opens a Replicated store over both, closed
// when the test ends.
func openReplicated(t testing.TB, primary, standby string, cfg postgis.ReplicaConfig) *postgis.Replicated {
	t.Helper()
	ctx := context.Background()
	p, err := postgis.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()
	waitReplayed(t, standby, 0)
	r, err := postgis.OpenReplicated(ctx, primary, []string{standby}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// waitReplayed waits until the standby's data_version is at least v.
func waitReplayed(t testing.TB, standby string, v int64) {
	t.Helper()
	var got int64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		conn, err := pgx.Connect(context.Background(), standby)
		if err != nil {
			continue
		}
		err = conn.QueryRow(context.Background(), "SELECT version FROM data_version").Scan(&got)
		conn.Close(context.Background())
		if err == nil && got >= v {
			return
		}
	}
	t.Fatalf("the standby did not replay data version %d in 30 s (it has %d)", v, got)
}

// onStandby runs a statement on the standby.
func onStandby(t testing.TB, standby, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), standby)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s on the standby: %v", sql, err)
	}
}

// reads returns the reads the primary and the replica served so far.
func reads(r *postgis.Replicated) (primary, replica int64) {
	p, reps := r.Status()
	return p, reps[0].Reads
}

// count counts every establishment through r.
func count(t testing.TB, r kume.Store) int {
	t.Helper()
	n, err := r.CountEstablishments(t.Context(), kume.EstablishmentFilter{})
	if err != nil {
		t.Fatalf("CountEstablishments: %v", err)
	}
	return n
}

// TestReplicaReads checks the router against a real standby made with
// pg_basebackup -R: reads go to the replica once it has the data version,
// never while it lags behind a newer one (replay paused), fail over to the
// primary while it is down, come back to it afterwards, and still work from
// it while the primary is down.
func TestReplicaReads(t *testing.T) {
	pair := pgtest.NewPair(t)
	ctx := t.Context()
	r := openReplicated(t, pair.Primary, pair.Standby, fastReplicas())

	ds := storetest.MustCreateDataset(t, r, "synthetic", kume.Public)
	storetest.MustImport(t, r, ds.ID, kume.ImportOptions{}, storetest.Synthetic("a", 500))
	v1, err := r.SaveAnalysis(ctx, storetest.AnalysisResult())
	if err != nil {
		t.Fatal(err)
	}
	waitReplayed(t, pair.Standby, v1)

	// Reads go to the replica once it has the version, and answer as the
	// primary does.
	p0, s0 := reads(r)
	if n := count(t, r); n != 500 {
		t.Fatalf("%d establishments through the replica, want 500", n)
	}
	cells, err := r.CellStats(ctx, kume.CellFilter{Res: 7})
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Primary().CellStats(ctx, kume.CellFilter{Res: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) == 0 || len(cells) != len(want) {
		t.Fatalf("%d cell statistics from the replica, %d from the primary", len(cells), len(want))
	}
	if run, err := r.LatestAnalysis(ctx); err != nil || run.Version != v1 {
		t.Fatalf("LatestAnalysis: %v, %v; want version %d", run, err, v1)
	}
	if p1, s1 := reads(r); s1-s0 != 3 || p1 != p0 {
		t.Fatalf("reads: primary %d→%d, replica %d→%d; want the 3 reads on the replica", p0, p1, s0, s1)
	}

	// A replica that lags behind the version reads need serves none of them.
	onStandby(t, pair.Standby, "SELECT pg_wal_replay_pause()")
	storetest.MustImport(t, r, ds.ID, kume.ImportOptions{}, storetest.Synthetic("b", 100))
	v2, err := r.DataVersion(ctx)
	if err != nil || v2 <= v1 {
		t.Fatalf("DataVersion %d, %v after the import; want above %d", v2, err, v1)
	}
	standby, err := postgis.Open(ctx, pair.Standby)
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Close()
	_, s0 = reads(r)
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if n := count(t, r); n != 600 {
			t.Fatalf("%d establishments while the replica lags, want 600 (the primary's)", n)
		}
	}
	if n := count(t, standby); n != 500 {
		t.Fatalf("the paused standby holds %d establishments, want 500: it did not lag", n)
	}
	if _, s1 := reads(r); s1 != s0 {
		t.Fatalf("the lagging replica served %d reads", s1-s0)
	}
	_, reps := r.Status()
	if reps[0].Version >= v2 {
		t.Fatalf("replica status version %d, want below %d", reps[0].Version, v2)
	}

	// Replay resumed, the replica catches up and serves again.
	onStandby(t, pair.Standby, "SELECT pg_wal_replay_resume()")
	waitReplayed(t, pair.Standby, v2)
	time.Sleep(50 * time.Millisecond) // past Recheck
	if n := count(t, r); n != 600 {
		t.Fatalf("%d establishments after catching up, want 600", n)
	}
	if n := count(t, r); n != 600 {
		t.Fatalf("%d establishments after catching up, want 600", n)
	}
	if _, s1 := reads(r); s1 == s0 {
		t.Fatal("the replica serves no read after catching up")
	}

	// A dead replica: every read still answers, from the primary.
	pair.HaltStandby(t)
	p0, _ = reads(r)
	for range 20 {
		if n := count(t, r); n != 600 {
			t.Fatalf("%d establishments with the replica down, want 600", n)
		}
	}
	p1, reps := r.Status()
	if p1-p0 != 20 || reps[0].Up {
		t.Fatalf("with the replica down: primary served %d of 20 reads, replica up %v", p1-p0, reps[0].Up)
	}
	if reps[0].Failovers == 0 {
		t.Error("no read failed over from the dead replica (its pooled connections should have failed)")
	}

	// Back up, it serves again after its back-off.
	pair.ResumeStandby(t)
	waitReplayed(t, pair.Standby, v2)
	_, s0 = reads(r)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if n := count(t, r); n != 600 {
			t.Fatalf("%d establishments, want 600", n)
		}
		if _, s1 := reads(r); s1 > s0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica serves no read 15 s after it came back")
		}
	}

	// With the primary down, the replica still serves the version it has.
	pair.HaltPrimary(t)
	defer pair.ResumePrimary(t)
	time.Sleep(60 * time.Millisecond) // past MaxStaleness: the router asks the primary again
	if n := count(t, r); n != 600 {
		t.Fatalf("%d establishments with the primary down, want 600 from the replica", n)
	}
	if _, err := r.Primary().CountEstablishments(ctx, kume.EstablishmentFilter{}); err == nil {
		t.Fatal("the halted primary answered")
	}
}

// TestReplicaRefused checks that a replica that is not a standby of the
// primary is refused at open with a reason.
func TestReplicaRefused(t *testing.T) {
	pair := pgtest.NewPair(t)
	other := pgtest.NewDatabase(t) // the shared test server: another cluster
	p, err := postgis.Open(t.Context(), pair.Primary)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	for _, tc := range []struct{ name, replica, want string }{
		{"another cluster", other, "not a replica of the primary"},
		{"the primary itself", pair.Primary, "not a standby"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := postgis.OpenReplicated(t.Context(), pair.Primary, []string{tc.replica}, fastReplicas())
			if err == nil {
				r.Close()
				t.Fatal("OpenReplicated succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}

// TestReplicatedConformance runs the stores' conformance suite on a
// Replicated store whose reads a real standby serves: every read after a
// write sees it.
func TestReplicatedConformance(t *testing.T) {
	pair := pgtest.NewPair(t)
	storetest.Run(t, func(t *testing.T) kume.Store {
		primary, standby := pair.NewDatabase(t)
		return openReplicated(t, primary, standby, postgis.ReplicaConfig{})
	})
}

package storetest

import (
	"crypto/sha256"
	"slices"
	"testing"

	"github.com/kume-geo/kume"
)

// testGrants checks keys' grants: created with a key, given and taken away,
// refused where CheckGrant refuses them, and gone with their dataset.
func testGrants(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	a := MustCreateDataset(t, s, "agency-a", kume.Private)
	b := MustCreateDataset(t, s, "agency-b", kume.Private)
	pubDS := MustCreateDataset(t, s, "open", kume.Public)
	hash := func(x string) []byte { h := sha256.Sum256([]byte(x)); return h[:] }

	// Grants given at creation come back ordered by dataset id.
	w := &kume.APIKey{Name: "agency", Scope: kume.ScopeWrite, Hash: hash("w"),
		Grants: []kume.Grant{{DatasetID: b.ID, Right: kume.RightRead}, {DatasetID: a.ID, Right: kume.RightWrite}}}
	must(t, s.CreateKey(ctx, w), "CreateKey with grants")
	want := []kume.Grant{{DatasetID: a.ID, Right: kume.RightWrite}, {DatasetID: b.ID, Right: kume.RightRead}}
	got, err := s.KeyByHash(ctx, hash("w"))
	must(t, err, "KeyByHash")
	if !slices.Equal(got.Grants, want) {
		t.Errorf("grants of a new key = %+v, want %+v", got.Grants, want)
	}

	// Keys refused with their grants leave nothing.
	for _, c := range []struct {
		name string
		k    *kume.APIKey
		code string
	}{
		{"write grant on a read key", &kume.APIKey{Name: "r", Scope: kume.ScopeRead, Hash: hash("r1"),
			Grants: []kume.Grant{{DatasetID: a.ID, Right: kume.RightWrite}}}, kume.EINVALID},
		{"grant to an admin key", &kume.APIKey{Name: "adm", Scope: kume.ScopeAdmin, Hash: hash("r2"),
			Grants: []kume.Grant{{DatasetID: a.ID, Right: kume.RightRead}}}, kume.EINVALID},
		{"two grants on one dataset", &kume.APIKey{Name: "r", Scope: kume.ScopeRead, Hash: hash("r3"),
			Grants: []kume.Grant{{DatasetID: a.ID, Right: kume.RightRead}, {DatasetID: a.ID, Right: kume.RightRead}}}, kume.EINVALID},
		{"unknown right", &kume.APIKey{Name: "r", Scope: kume.ScopeRead, Hash: hash("r4"),
			Grants: []kume.Grant{{DatasetID: a.ID, Right: "own"}}}, kume.EINVALID},
		{"unknown dataset", &kume.APIKey{Name: "r", Scope: kume.ScopeRead, Hash: hash("r5"),
			Grants: []kume.Grant{{DatasetID: a.ID + b.ID + pubDS.ID + 100, Right: kume.RightRead}}}, kume.ENOTFOUND},
	} {
		wantCode(t, s.CreateKey(ctx, c.k), c.code, "CreateKey: "+c.name)
		_, err := s.KeyByHash(ctx, c.k.Hash)
		wantCode(t, err, kume.ENOTFOUND, "KeyByHash after a refused CreateKey: "+c.name)
	}

	// GrantKey adds or replaces a right; RevokeGrant takes one away.
	r := &kume.APIKey{Name: "reader", Scope: kume.ScopeRead, Hash: hash("r")}
	must(t, s.CreateKey(ctx, r), "CreateKey")
	must(t, s.GrantKey(ctx, r.ID, kume.Grant{DatasetID: b.ID, Right: kume.RightRead}), "GrantKey")
	must(t, s.GrantKey(ctx, r.ID, kume.Grant{DatasetID: pubDS.ID, Right: kume.RightRead}), "GrantKey (public dataset)")
	must(t, s.GrantKey(ctx, w.ID, kume.Grant{DatasetID: b.ID, Right: kume.RightWrite}), "GrantKey (replace read by write)")
	assertGrants(t, s, r.ID, []kume.Grant{{DatasetID: b.ID, Right: kume.RightRead}, {DatasetID: pubDS.ID, Right: kume.RightRead}})
	assertGrants(t, s, w.ID, []kume.Grant{{DatasetID: a.ID, Right: kume.RightWrite}, {DatasetID: b.ID, Right: kume.RightWrite}})
	wantCode(t, s.GrantKey(ctx, r.ID, kume.Grant{DatasetID: a.ID, Right: kume.RightWrite}), kume.EINVALID, "GrantKey write to a read key")
	wantCode(t, s.GrantKey(ctx, r.ID+w.ID+100, kume.Grant{DatasetID: a.ID, Right: kume.RightRead}), kume.ENOTFOUND, "GrantKey to an unknown key")
	wantCode(t, s.GrantKey(ctx, r.ID, kume.Grant{DatasetID: a.ID + b.ID + pubDS.ID + 100, Right: kume.RightRead}), kume.ENOTFOUND,
		"GrantKey on an unknown dataset")
	assertGrants(t, s, r.ID, []kume.Grant{{DatasetID: b.ID, Right: kume.RightRead}, {DatasetID: pubDS.ID, Right: kume.RightRead}})
	must(t, s.RevokeGrant(ctx, r.ID, pubDS.ID), "RevokeGrant")
	wantCode(t, s.RevokeGrant(ctx, r.ID, pubDS.ID), kume.ENOTFOUND, "RevokeGrant twice")
	wantCode(t, s.RevokeGrant(ctx, r.ID, a.ID), kume.ENOTFOUND, "RevokeGrant of a right never given")
	assertGrants(t, s, r.ID, []kume.Grant{{DatasetID: b.ID, Right: kume.RightRead}})

	// A deleted dataset takes its grants with it, from every key.
	must(t, s.DeleteDataset(ctx, b.ID), "DeleteDataset")
	assertGrants(t, s, r.ID, nil)
	assertGrants(t, s, w.ID, []kume.Grant{{DatasetID: a.ID, Right: kume.RightWrite}})
	// A revoked key keeps its grants on record but is not found by hash.
	must(t, s.RevokeKey(ctx, w.ID), "RevokeKey")
	assertGrants(t, s, w.ID, []kume.Grant{{DatasetID: a.ID, Right: kume.RightWrite}})
}

// assertGrants checks the grants Keys returns for key id.
func assertGrants(t testing.TB, s kume.KeyStore, id int64, want []kume.Grant) {
	t.Helper()
	keys, err := s.Keys(t.Context())
	must(t, err, "Keys")
	for _, k := range keys {
		if k.ID == id {
			if !sameGrants(k.Grants, want) {
				t.Errorf("grants of key %d = %+v, want %+v", id, k.Grants, want)
			}
			return
		}
	}
	t.Errorf("key %d not listed", id)
}

// testGrantedEstablishments checks EstablishmentFilter.Granted: with
// PublicOnly, the granted private datasets are read besides the public ones,
// by every read of establishments.
func testGrantedEstablishments(t *testing.T, open Opener) {
	f := loadFixture(t, open)
	ids := func(d *kume.Dataset) []int64 { return []int64{d.ID} }
	ctx := t.Context()
	other := MustCreateDataset(t, f.s, "other", kume.Private)
	MustImport(t, f.s, other.ID, kume.ImportOptions{}, Synthetic("o", 3))
	pub, err := f.s.Establishments(ctx, kume.EstablishmentFilter{PublicOnly: true})
	must(t, err, "Establishments")
	priv, err := f.s.Establishments(ctx, kume.EstablishmentFilter{DatasetIDs: ids(f.priv)})
	must(t, err, "Establishments")
	cases := []struct {
		name string
		flt  kume.EstablishmentFilter
		want int
	}{
		{"granted the private dataset", kume.EstablishmentFilter{PublicOnly: true, Granted: ids(f.priv)}, len(pub) + len(priv)},
		{"granted nothing", kume.EstablishmentFilter{PublicOnly: true, Granted: []int64{}}, len(pub)},
		{"granted a public dataset", kume.EstablishmentFilter{PublicOnly: true, Granted: ids(f.pub)}, len(pub)},
		{"granted, asking for the private dataset", kume.EstablishmentFilter{PublicOnly: true, Granted: ids(f.priv), DatasetIDs: ids(f.priv)}, len(priv)},
		{"granted another, asking for the private dataset", kume.EstablishmentFilter{PublicOnly: true, Granted: ids(other), DatasetIDs: ids(f.priv)}, 0},
		{"Granted without PublicOnly filters nothing", kume.EstablishmentFilter{Granted: ids(f.priv)}, len(pub) + len(priv) + 3},
	}
	for _, c := range cases {
		rows, err := f.s.Establishments(ctx, c.flt)
		must(t, err, c.name)
		n, err := f.s.CountEstablishments(ctx, c.flt)
		must(t, err, c.name)
		each := 0
		must(t, f.s.EachEstablishment(ctx, c.flt, func(*kume.Establishment) error { each++; return nil }), c.name)
		if len(rows) != c.want || n != c.want || each != c.want {
			t.Errorf("%s: Establishments %d, Count %d, Each %d; want %d", c.name, len(rows), n, each, c.want)
		}
		for _, e := range rows {
			if e.DatasetID == other.ID && c.flt.PublicOnly {
				t.Errorf("%s: a row of a dataset not granted", c.name)
			}
		}
	}
}

// testAnalysisScopes checks the analyses of several scopes side by side.
func testAnalysisScopes(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	pub := MustCreateDataset(t, s, "open", kume.Public)
	priv := MustCreateDataset(t, s, "agency", kume.Private)
	other := MustCreateDataset(t, s, "agency-2", kume.Private)

	bad := AnalysisResult()
	bad.Run.Scope = "datasets:3,1"
	_, err := s.SaveAnalysis(ctx, bad)
	wantCode(t, err, kume.EINVALID, "SaveAnalysis of a malformed scope")
	runs, err := s.Analyses(ctx)
	must(t, err, "Analyses")
	if len(runs) != 0 {
		t.Fatalf("Analyses of an empty store: %+v", runs)
	}

	// A private analysis before any public one: version 0 still reads none.
	pr := PrivateAnalysis(pub, priv)
	vp, err := s.SaveAnalysis(ctx, pr)
	must(t, err, "SaveAnalysis (private)")
	_, err = s.LatestAnalysis(ctx)
	wantCode(t, err, kume.ENOTFOUND, "LatestAnalysis with a private analysis only")
	cells, err := s.CellStats(ctx, kume.CellFilter{Res: 9})
	must(t, err, "CellStats of the public analysis")
	if len(cells) != 0 {
		t.Errorf("the public analysis reads %d cells of the private one", len(cells))
	}
	_, err = s.Cluster(ctx, 0, "13-9-abc")
	wantCode(t, err, kume.ENOTFOUND, "Cluster of the public analysis")

	// The public analysis beside it; "" is saved as public.
	pu := AnalysisResult()
	pu.Run.Datasets = []kume.AnalysisDataset{{ID: pub.ID, Name: pub.Name, Visibility: kume.Public}}
	pu.Run.Omitted = []kume.AnalysisDataset{{ID: priv.ID, Name: priv.Name, Visibility: kume.Private, Reason: kume.OmitPrivate},
		{ID: other.ID, Name: other.Name, Visibility: kume.Private, Reason: kume.OmitPrivate}}
	vu, err := s.SaveAnalysis(ctx, pu)
	must(t, err, "SaveAnalysis (public)")
	all := AnalysisResult()
	all.Run.Scope = kume.AnalysisAll
	all.Cells = all.Cells[:3]
	va, err := s.SaveAnalysis(ctx, all)
	must(t, err, "SaveAnalysis (all)")
	if !(vp < vu && vu < va) {
		t.Fatalf("versions %d, %d, %d do not grow", vp, vu, va)
	}
	pu.Run.Scope = kume.AnalysisPublic
	runs, err = s.Analyses(ctx)
	must(t, err, "Analyses")
	if len(runs) != 3 || !sameRun(runs[0], all.Run) || !sameRun(runs[1], pu.Run) || !sameRun(runs[2], pr.Run) {
		t.Fatalf("Analyses = %+v\nwant the runs of versions %d, %d, %d newest first", runs, va, vu, vp)
	}
	latest, err := s.LatestAnalysis(ctx)
	must(t, err, "LatestAnalysis")
	if !sameRun(*latest, pu.Run) {
		t.Errorf("LatestAnalysis = %+v, want the public run %+v", *latest, pu.Run)
	}

	// Every scope's version is read as asked; 0 is the public analysis.
	readCells := func(version int64) []kume.CellStat {
		t.Helper()
		c, err := s.CellStats(ctx, kume.CellFilter{Version: version, Res: 9, Sector: kume.SectorAll})
		must(t, err, "CellStats")
		return c
	}
	firms := func(cells []kume.CellStat) int {
		n := 0
		for _, c := range cells {
			n += c.Firms
		}
		return n
	}
	if c := readCells(0); len(c) != 4 || firms(c) != 46 {
		t.Errorf("public cells: %d cells of %d firms, want 4 of 46", len(c), firms(c))
	}
	if c := readCells(vp); len(c) != 4 || firms(c) != 92 {
		t.Errorf("private cells: %d cells of %d firms, want 4 of 92", len(c), firms(c))
	}
	if c := readCells(va); len(c) != 3 {
		t.Errorf("cells of scope all: %d, want 3", len(c))
	}
	cl, err := s.Cluster(ctx, vp, "13-9-abc")
	must(t, err, "Cluster of the private analysis")
	if cl.Firms != 24 {
		t.Errorf("private cluster has %d firms, want 24", cl.Firms)
	}
	cl, err = s.Cluster(ctx, 0, "13-9-abc")
	must(t, err, "Cluster of the public analysis")
	if cl.Firms != 12 {
		t.Errorf("public cluster has %d firms, want 12", cl.Firms)
	}
	rs, err := s.RegionStats(ctx, kume.RegionStatFilter{Version: vp, Level: "province", Sector: "13", Codes: []string{"16"}})
	must(t, err, "RegionStats of the private analysis")
	if len(rs) != 1 || rs[0].Firms != 20 {
		t.Errorf("private region statistics: %+v", rs)
	}

	// A new private run replaces its scope's only.
	pr2 := PrivateAnalysis(pub, priv)
	pr2.Cells = pr2.Cells[:1]
	vp2, err := s.SaveAnalysis(ctx, pr2)
	must(t, err, "second private SaveAnalysis")
	runs, err = s.Analyses(ctx)
	must(t, err, "Analyses")
	if len(runs) != 3 || runs[0].Version != vp2 || runs[1].Version != va || runs[2].Version != vu {
		t.Errorf("Analyses after a second private run: %+v", runs)
	}
	if c := readCells(vp2); len(c) != 1 {
		t.Errorf("cells of the second private run: %d, want 1", len(c))
	}

	// DeleteAnalysis removes one scope; DeleteDataset the scopes naming it.
	must(t, s.DeleteAnalysis(ctx, kume.AnalysisAll), "DeleteAnalysis")
	wantCode(t, s.DeleteAnalysis(ctx, kume.AnalysisAll), kume.ENOTFOUND, "DeleteAnalysis twice")
	// A version no longer kept reads nothing: no rows, or ENOTFOUND.
	gone, err := s.CellStats(ctx, kume.CellFilter{Version: va, Res: 9})
	if len(gone) != 0 || (err != nil && kume.ErrorCode(err) != kume.ENOTFOUND) {
		t.Errorf("CellStats of a deleted analysis: %d cells, %v", len(gone), err)
	}
	keep := AnalysisResult()
	keep.Run.Scope = kume.DatasetsScope([]int64{pub.ID, other.ID})
	vk, err := s.SaveAnalysis(ctx, keep)
	must(t, err, "SaveAnalysis (pub and other)")
	must(t, s.DeleteDataset(ctx, priv.ID), "DeleteDataset")
	runs, err = s.Analyses(ctx)
	must(t, err, "Analyses")
	var versions []int64
	for _, r := range runs {
		versions = append(versions, r.Version)
	}
	if !slices.Equal(versions, []int64{vk, vu}) {
		t.Errorf("after deleting the private dataset the analyses are versions %v, want %v", versions, []int64{vk, vu})
	}
	_, err = s.Cluster(ctx, vp2, "13-9-abc")
	wantCode(t, err, kume.ENOTFOUND, "Cluster of an analysis of a deleted dataset")
	if c := readCells(0); len(c) != 4 {
		t.Errorf("the public analysis after DeleteDataset: %d cells", len(c))
	}
}

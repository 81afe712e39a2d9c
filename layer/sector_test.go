package layer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/nace"
)

// chainStore is a ChainStore holding fixed chains, or failing.
type chainStore struct {
	chains []kume.ValueChain
	err    error
}

func (c chainStore) ValueChains(context.Context) ([]kume.ValueChain, error) { return c.chains, c.err }

func newSectors(t testing.TB, st layer.ChainStore) *layer.Sectors {
	t.Helper()
	s, err := layer.NewSectors(nil, st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseSector(t *testing.T) {
	s := newSectors(t, nil)
	good := []string{"", "A", "C", "U", "01", "13", "99", "13.2", "13.20", "01.11", "vc:textiles", "vc:a", "vc:" + strings.Repeat("z", 64), "vc:a_b-9"}
	for _, v := range good {
		if got, err := s.Parse(v); err != nil || got != v {
			t.Errorf("Parse(%q) = %q, %v; want it back", v, got, err)
		}
	}
	bad := []string{
		"V", "W", "X", "Y", "Z", // sections V–Z do not exist (V is a Turkish addition left out)
		"c", "1320", "13,20", "C13.20", "13.20.01", "132", // raw register forms
		"00", "13.8", "13.98", "04", // well-formed codes the taxonomy does not hold
		"AB", "1", "13.", "13.200", " 13", "13 ", "13\x00", "vc:", "vc:Tex", "vc:" + strings.Repeat("z", 65), "vc:a b",
		"13'; DROP TABLE x", strings.Repeat("9", 10240),
	}
	for _, v := range bad {
		_, err := s.Parse(v)
		if kume.ErrorCode(err) != kume.EINVALID || kume.ErrorMessage(err) != kume.ErrorMessage(errParse(t, s)) {
			t.Errorf("Parse(%q) = %v; want the one EINVALID sector error", v, err)
		}
	}
}

// errParse returns the error of a key that is surely invalid.
func errParse(t *testing.T, s *layer.Sectors) error {
	t.Helper()
	_, err := s.Parse("Z")
	if err == nil {
		t.Fatal("Z parsed")
	}
	return err
}

func TestSectorPrefixes(t *testing.T) {
	ctx := context.Background()
	saved := []kume.ValueChain{
		{ID: "textiles", Roles: map[kume.Role][]string{kume.RoleCore: {"13", "14"}, kume.RoleSupplier: {"20.60"}}},
		{ID: "empty", Roles: map[kume.Role][]string{}},
	}
	s := newSectors(t, chainStore{chains: saved})
	tests := []struct {
		key  string
		want []string
		code string
	}{
		{"", nil, ""},
		{"B", []string{"05", "06", "07", "08", "09"}, ""},
		{"D", []string{"35"}, ""},
		{"13.2", []string{"13.2"}, ""},
		{"vc:textiles", []string{"13", "14", "20.60"}, ""},
		{"vc:empty", []string{layer.MatchNothing}, ""},
		{"vc:nope", nil, kume.EINVALID},
		{"vc:automotive", nil, kume.EINVALID}, // shipped, but saved chains are in force
	}
	for _, tt := range tests {
		got, err := s.Prefixes(ctx, tt.key)
		if !slices.Equal(got, tt.want) || kume.ErrorCode(err) != tt.code {
			t.Errorf("Prefixes(%q) = %q, %v; want %q, code %q", tt.key, got, err, tt.want, tt.code)
		}
	}
	// Section C's prefixes are its divisions in the taxonomy: 10 to 33.
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range tax.All(nace.Section) {
		got, err := s.Prefixes(ctx, sec.Code)
		if err != nil || !slices.Equal(got, tax.Prefixes(sec.Code)) || len(got) == 0 {
			t.Errorf("Prefixes(%s) = %q, %v", sec.Code, got, err)
		}
	}
	if got, _ := s.Prefixes(ctx, "C"); len(got) != 24 || got[0] != "10" || got[23] != "33" {
		t.Errorf("section C expands to %q, want 10 … 33", got)
	}
}

// TestChainsInForce: the saved chains when there are some, else the shipped
// ones; a failing store is an error, never the shipped chains.
func TestChainsInForce(t *testing.T) {
	ctx := context.Background()
	shipped, err := newSectors(t, chainStore{}).ChainsInForce(ctx)
	if err != nil || len(shipped) == 0 {
		t.Fatalf("no saved chains: %d chains, %v; want the shipped ones", len(shipped), err)
	}
	if _, err := newSectors(t, nil).Prefixes(ctx, "vc:"+shipped[0].ID); err != nil {
		t.Errorf("a shipped chain without a store: %v", err)
	}
	saved := []kume.ValueChain{{ID: "mine", Roles: map[kume.Role][]string{kume.RoleCore: {"13"}}}}
	got, err := newSectors(t, chainStore{chains: saved}).ChainsInForce(ctx)
	if err != nil || len(got) != 1 || got[0].ID != "mine" {
		t.Errorf("saved chains: %v, %v", got, err)
	}
	down := errors.New("database down")
	if _, err := newSectors(t, chainStore{err: down}).Prefixes(ctx, "vc:"+shipped[0].ID); !errors.Is(err, down) {
		t.Errorf("failing store: %v, want its error", err)
	}
}

// FuzzParseSector: Parse never panics, accepts only what it returns unchanged,
// and every key it accepts expands without error (chains aside).
func FuzzParseSector(f *testing.F) {
	for _, s := range []string{"", "C", "Z", "13", "13.2", "13.20", "1320", "vc:textiles", "vc:", "00", "13.9", "\xff"} {
		f.Add(s)
	}
	s := newSectors(f, chainStore{})
	f.Fuzz(func(t *testing.T, v string) {
		got, err := s.Parse(v)
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("Parse(%q): %v is not EINVALID", v, err)
			}
			return
		}
		if got != v {
			t.Fatalf("Parse(%q) = %q", v, got)
		}
		if layer.IsChain(got) {
			return
		}
		if _, err := s.Prefixes(context.Background(), got); err != nil {
			t.Fatalf("Prefixes(%q): %v", got, err)
		}
	})
}

// A cluster is one value chain and place, its divisions and classes its
// composition: asking for a NACE code shows its own clusters, its division's
// and those of the chains whose core holds it.
func TestClusterKeys(t *testing.T) {
	keys, err := layer.NewSectors(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		key       string
		want, not []string
	}{
		{"62", []string{"62", "vc:ict"}, []string{"vc:textiles", "63"}},
		{"13.20", []string{"13.20", "13", "vc:textiles"}, []string{"14", "vc:food"}},
		{"C", []string{"C", "10", "33", "vc:textiles", "vc:automotive", "vc:food"}, []string{"62", "vc:ict", "vc:tourism"}},
		{"46", []string{"46"}, []string{"vc:textiles"}}, // wholesale is no chain's core
		{"vc:ict", []string{"vc:ict"}, []string{"62"}},
	} {
		got, err := keys.ClusterKeys(ctx, c.key)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("ClusterKeys(%q) = %v, lacks %s", c.key, got, w)
			}
		}
		for _, n := range c.not {
			if slices.Contains(got, n) {
				t.Errorf("ClusterKeys(%q) = %v, holds %s", c.key, got, n)
			}
		}
	}
	if got, err := keys.ClusterKeys(ctx, ""); got != nil || err != nil {
		t.Errorf("all firms: %v, %v; want every key (nil)", got, err)
	}
}

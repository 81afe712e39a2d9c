package kume_test

import (
	"slices"
	"testing"

	"github.com/kume-geo/kume"
)

func TestSectorPrefixes(t *testing.T) {
	chains := []kume.ValueChain{
		{ID: "textiles", Roles: map[kume.Role][]string{kume.RoleCore: {"13", "14"}, kume.RoleSupplier: {"20.60"}}},
		{ID: "empty", Roles: map[kume.Role][]string{}},
	}
	tests := []struct {
		sector string
		want   []string
		found  bool
	}{
		{"", nil, true},
		{"B", []string{"05", "06", "07", "08", "09"}, true},
		{"D", []string{"35"}, true},
		{"Z", []string{kume.MatchNothing}, true},
		{"13.2", []string{"13.2"}, true},
		{"vc:textiles", []string{"13", "14", "20.60"}, true},
		{"vc:empty", []string{kume.MatchNothing}, true},
		{"vc:nope", nil, false},
	}
	for _, tt := range tests {
		got, found := kume.SectorPrefixes(tt.sector, chains)
		if !slices.Equal(got, tt.want) || found != tt.found {
			t.Errorf("SectorPrefixes(%q) = %q, %v; want %q, %v", tt.sector, got, found, tt.want, tt.found)
		}
	}
	if n := len(kume.SectionDivisions("C")); n != 24 {
		t.Errorf("section C has %d divisions, want 24 (10–33)", n)
	}
}

package memory

import (
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/kume-geo/kume"
)

// The store hands out and takes in deep copies: nothing a caller holds shares
// memory with a published snapshot.

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// utcTime returns a copy of t in UTC.
func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := t.UTC()
	return &c
}

func cloneFloat(f *float64) *float64 {
	if f == nil {
		return nil
	}
	c := *f
	return &c
}

func cloneStrings(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

func cloneCounts(m map[kume.InstitutionType]int) map[kume.InstitutionType]int {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

func cloneRaw(r json.RawMessage) json.RawMessage {
	if len(r) == 0 {
		return nil
	}
	return slices.Clone(r)
}

func cloneEstablishment(e kume.Establishment) kume.Establishment {
	e.Founded = cloneTime(e.Founded)
	e.Closed = cloneTime(e.Closed)
	e.Attrs = cloneStrings(e.Attrs)
	return e
}

// sameContent reports whether an import row equals a stored one in every field
// an import sets (what kume.Establishment.ContentHash covers) and in Cell.
func sameContent(a, b *kume.Establishment) bool {
	return a.SourceID == b.SourceID && a.Name == b.Name && a.Kind == b.Kind && a.Type == b.Type &&
		a.NACE == b.NACE && a.Employees == b.Employees && sameTime(a.Founded, b.Founded) &&
		sameTime(a.Closed, b.Closed) && a.Address == b.Address &&
		sameFloat(a.Lon, b.Lon) && sameFloat(a.Lat, b.Lat) && a.Precision == b.Precision &&
		a.GeocodeSource == b.GeocodeSource && a.Cell == b.Cell && maps.Equal(a.Attrs, b.Attrs)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// sameFloat compares bit patterns, so NaN equals NaN as it does in ContentHash.
func sameFloat(a, b float64) bool { return a == b || (a != a && b != b) }

func cloneCell(c kume.CellStat) kume.CellStat {
	c.LQ, c.GiZ, c.GiP = cloneFloat(c.LQ), cloneFloat(c.GiZ), cloneFloat(c.GiP)
	c.Institutions = cloneCounts(c.Institutions)
	return c
}

func cloneCluster(c kume.Cluster) kume.Cluster {
	c.Cells = slices.Clone(c.Cells)
	c.Geometry = c.Geometry.Clone()
	c.LQ, c.Completeness = cloneFloat(c.LQ), cloneFloat(c.Completeness)
	c.InstitutionsInside = cloneCounts(c.InstitutionsInside)
	c.InstitutionsNear = cloneCounts(c.InstitutionsNear)
	c.RolesPresent = slices.Clone(c.RolesPresent)
	c.RolesMissing = slices.Clone(c.RolesMissing)
	c.Profile = cloneRaw(c.Profile)
	c.PValue = cloneFloat(c.PValue)
	c.Composition = slices.Clone(c.Composition)
	if c.Ecosystem != nil {
		e := *c.Ecosystem
		e.Present, e.Missing = slices.Clone(e.Present), slices.Clone(e.Missing)
		c.Ecosystem = &e
	}
	return c
}

func cloneRegionStat(r kume.RegionStat) kume.RegionStat {
	r.LQ, r.LQEmployed = cloneFloat(r.LQ), cloneFloat(r.LQEmployed)
	return r
}

func cloneRegion(r kume.Region) kume.Region {
	r.Geometry = r.Geometry.Clone()
	r.Attrs = cloneStrings(r.Attrs)
	return r
}

func cloneChain(vc kume.ValueChain) kume.ValueChain {
	vc.Name = cloneStrings(vc.Name)
	if vc.Roles != nil {
		roles := make(map[kume.Role][]string, len(vc.Roles))
		for r, codes := range vc.Roles {
			roles[r] = slices.Clone(codes)
		}
		vc.Roles = roles
	}
	return vc
}

func cloneKey(k kume.APIKey) kume.APIKey {
	k.Hash = slices.Clone(k.Hash)
	k.RevokedAt = cloneTime(k.RevokedAt)
	k.Grants = slices.Clone(k.Grants)
	return k
}

package postgis

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"github.com/kume-geo/kume"
)

// The clusters of a saved analysis go into the clusters table by one binary
// COPY in the save transaction (one INSERT each took about a second for
// 12,000 footprints). Columns are encoded as PostgreSQL's receive functions
// read them: the footprint as EWKB (PostGIS reads WKB with its SRID), arrays
// in the array binary format, jsonb with its version byte.

// clusterColumns are the columns of clusters, in the order of appendCluster.
func clusterColumns() []string {
	return []string{"version", "id", "sector", "res", "name", "cells", "geom", "firms", "employees", "lq",
		"share", "stars", "suppressed", "institutions_inside", "institutions_near", "roles_present",
		"roles_missing", "completeness", "profile", "name_tr", "place", "method", "focus_firms", "expected",
		"p_value", "llr", "strong", "composition", "ecosystem"}
}

// OIDs of the array elements.
const (
	oidInt8 = 20
	oidText = 25
)

// copyClusters COPYs clusters, of version, into clusters in tx.
func (s *Store) copyClusters(ctx context.Context, tx pgx.Tx, version int64, clusters []kume.Cluster) error {
	if len(clusters) == 0 {
		return nil
	}
	c := startCopy(ctx, tx.Conn().PgConn(), copySQL("clusters", clusterColumns()), 4)
	buf := c.buffer()
	var err error
	for i := range clusters {
		if buf, err = appendCluster(buf, version, &clusters[i]); err != nil {
			c.abort()
			return fmt.Errorf("cluster %s: %w", clusters[i].ID, err)
		}
		if len(buf) >= copyBufferSize-65536 {
			if err := c.send(ctx, buf); err != nil {
				return err
			}
			buf = c.buffer()
		}
	}
	if err := c.send(ctx, buf); err != nil {
		return err
	}
	n, err := c.finish(ctx)
	if err == nil && n != int64(len(clusters)) {
		err = fmt.Errorf("the server stored %d of %d clusters", n, len(clusters))
	}
	return err
}

// appendCluster appends the COPY row of c.
func appendCluster(b []byte, version int64, c *kume.Cluster) ([]byte, error) {
	geom := c.Geometry
	if geom == nil {
		// ewkb writes nothing for a nil geometry, and the server's reader
		// of the binary form crashes on nothing; an empty one is what
		// both mean.
		geom = orb.MultiPolygon{}
	}
	g, err := ewkb.Marshal(geom, 4326)
	if err != nil {
		return b, fmt.Errorf("geometry: %w", err)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(clusterColumns())))
	b = appendInt8(b, version)
	b = appendText(b, c.ID)
	b = appendText(b, c.Sector)
	b = appendInt2(b, int16(c.Res))
	b = appendText(b, c.Name)
	b = appendInt8Array(b, c.Cells)
	b = appendBytes(b, g)
	b = appendInt4(b, int32(c.Firms))
	b = appendFloat8(b, c.Employees)
	b = appendOptFloat8(b, c.LQ)
	b = appendFloat8(b, c.Share)
	b = appendInt2(b, int16(c.Stars))
	b = appendBool(b, c.Suppressed)
	for _, m := range []map[kume.InstitutionType]int{c.InstitutionsInside, c.InstitutionsNear} {
		if b, err = appendJSONB(b, m); err != nil {
			return b, err
		}
	}
	b = appendTextArray(b, rolesToStrings(c.RolesPresent))
	b = appendTextArray(b, rolesToStrings(c.RolesMissing))
	b = appendOptFloat8(b, c.Completeness)
	if p := rawJSON(c.Profile); p != nil {
		b = appendBytes(b, p) // json's binary form is its text
	} else {
		b = appendNull(b)
	}
	b = appendText(b, c.NameTR)
	b = appendText(b, c.Place)
	b = appendText(b, c.Method)
	b = appendInt4(b, int32(c.FocusFirms))
	b = appendFloat8(b, c.Expected)
	b = appendOptFloat8(b, c.PValue)
	b = appendFloat8(b, c.LLR)
	b = appendBool(b, c.Strong)
	for _, v := range []any{c.Composition, c.Ecosystem} {
		js, err := json.Marshal(v)
		if err != nil {
			return b, err
		}
		if string(js) == "null" {
			b = appendNull(b)
		} else {
			b = appendBytes(b, js)
		}
	}
	return b, nil
}

// appendBytes appends a value given as its binary form.
func appendBytes(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

// appendOptFloat8 appends *p, or NULL for nil.
func appendOptFloat8(b []byte, p *float64) []byte {
	if p == nil {
		return appendNull(b)
	}
	return appendFloat8(b, *p)
}

// appendJSONB appends m as jsonb, or NULL for a nil map.
func appendJSONB(b []byte, m map[kume.InstitutionType]int) ([]byte, error) {
	if m == nil {
		return appendNull(b), nil
	}
	js, err := json.Marshal(m)
	if err != nil {
		return b, err
	}
	b = binary.BigEndian.AppendUint32(b, uint32(1+len(js)))
	b = append(b, 1) // jsonb binary format version
	return append(b, js...), nil
}

// appendArrayHeader appends the length placeholder and header of a
// one-dimensional array of n elements of type oid, and returns where the
// length goes.
func appendArrayHeader(b []byte, n int, oid uint32) ([]byte, int) {
	at := len(b)
	be := binary.BigEndian
	b = be.AppendUint32(b, 0) // the length, set by endArray
	if n == 0 {
		b = be.AppendUint32(b, 0) // no dimension
		b = be.AppendUint32(b, 0) // no NULL
		return be.AppendUint32(b, oid), at
	}
	b = be.AppendUint32(b, 1)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, oid)
	b = be.AppendUint32(b, uint32(n))
	return be.AppendUint32(b, 1), at // lower bound
}

// endArray sets the length of the array whose header is at at.
func endArray(b []byte, at int) []byte {
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// appendInt8Array appends cells as bigint[], or NULL for nil.
func appendInt8Array(b []byte, cells []uint64) []byte {
	if cells == nil {
		return appendNull(b)
	}
	b, at := appendArrayHeader(b, len(cells), oidInt8)
	for _, c := range cells {
		b = appendInt8(b, int64(c))
	}
	return endArray(b, at)
}

// appendTextArray appends ss as text[], or NULL for nil.
func appendTextArray(b []byte, ss []string) []byte {
	if ss == nil {
		return appendNull(b)
	}
	b, at := appendArrayHeader(b, len(ss), oidText)
	for _, s := range ss {
		b = appendText(b, s)
	}
	return endArray(b, at)
}

package kume

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"sort"
	"time"
)

// ContentHash returns a hash of every field an import can set (not ID, DatasetID
// or Cell). Stores compare it to tell an unchanged row from an updated one.
func (e *Establishment) ContentHash() uint64 {
	h := fnv.New64a()
	var buf [8]byte
	str := func(s string) {
		binary.LittleEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	num := func(u uint64) {
		binary.LittleEndian.PutUint64(buf[:], u)
		h.Write(buf[:])
	}
	tm := func(t *time.Time) {
		if t == nil {
			num(math.MaxUint64)
			return
		}
		num(uint64(t.UTC().UnixNano()))
	}
	str(e.SourceID)
	str(e.Name)
	str(string(e.Kind))
	str(string(e.Type))
	str(e.NACE)
	if e.Employees.Known {
		num(1)
	} else {
		num(0)
	}
	num(uint64(int64(e.Employees.Low)))
	num(uint64(int64(e.Employees.High)))
	tm(e.Founded)
	tm(e.Closed)
	for _, s := range []string{e.Address.Street, e.Address.Postcode, e.Address.District, e.Address.Province, e.Address.Country} {
		str(s)
	}
	num(math.Float64bits(e.Lon))
	num(math.Float64bits(e.Lat))
	str(string(e.Precision))
	str(e.GeocodeSource)
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		str(k)
		str(e.Attrs[k])
	}
	return h.Sum64()
}

package ingest

// idIndex remembers the ids of the rows taken so far, by their 64-bit hash,
// with the line each was first seen at: an open-addressing table with linear
// probing in two parallel slices (12 bytes a slot, at most 7/8 full), a third
// of what a map takes. It stops taking ids once it holds maxIDSlots*7/8 of
// them, so that its memory stays bounded whatever the size of the input: a
// duplicate among the rows after that is not rejected as a row but fails the
// import when the store checks its ids at the commit.
type idIndex struct {
	hashes []uint64 // 0 marks an empty slot; a hash of 0 is kept as 1
	lines  []int32
	n      int
}

// maxIDSlots bounds the slots of an idIndex (2^23 slots: 96 MiB, 7.3 million ids).
const maxIDSlots = 1 << 23

// lookup returns the line of hash h, if it was added.
func (x *idIndex) lookup(h uint64) (int32, bool) {
	if x.n == 0 {
		return 0, false
	}
	h = max(h, 1)
	mask := uint64(len(x.hashes) - 1)
	for i := slot(h, mask); ; i = (i + 1) & mask {
		switch x.hashes[i] {
		case h:
			return x.lines[i], true
		case 0:
			return 0, false
		}
	}
}

// add records hash h, not yet present, first seen at line. It reports false
// when the index is full.
func (x *idIndex) add(h uint64, line int32) bool {
	if (x.n+1)*8 > len(x.hashes)*7 {
		if len(x.hashes) >= maxIDSlots {
			return false
		}
		x.grow()
	}
	x.put(max(h, 1), line)
	x.n++
	return true
}

func (x *idIndex) put(h uint64, line int32) {
	mask := uint64(len(x.hashes) - 1)
	i := slot(h, mask)
	for x.hashes[i] != 0 {
		i = (i + 1) & mask
	}
	x.hashes[i], x.lines[i] = h, line
}

// grow doubles the slots (1024 at first) and puts the ids back.
func (x *idIndex) grow() {
	old, oldLines := x.hashes, x.lines
	size := max(1024, 2*len(old))
	x.hashes, x.lines = make([]uint64, size), make([]int32, size)
	for i, h := range old {
		if h != 0 {
			x.put(h, oldLines[i])
		}
	}
}

// slot spreads h over the table (FNV's low bits vary less than its high ones).
func slot(h, mask uint64) uint64 {
	return (h * 0x9e3779b97f4a7c15 >> 32) & mask
}

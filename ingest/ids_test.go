package ingest

import (
	"math/rand/v2"
	"testing"
)

func TestIDIndex(t *testing.T) {
	var x idIndex
	if _, ok := x.lookup(42); ok {
		t.Fatal("empty index finds an id")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	hashes := []uint64{0, 1, 2}
	for range 100_000 {
		hashes = append(hashes, rng.Uint64())
	}
	for i, h := range hashes {
		if i == 1 {
			continue // 0 and 1 share a slot value: 1 is found once 0 is in
		}
		if !x.add(h, int32(i)) {
			t.Fatalf("add %d refused", i)
		}
	}
	for i, h := range hashes {
		line, ok := x.lookup(h)
		want := int32(i)
		if i == 1 {
			want = 0
		}
		if !ok || line != want {
			t.Fatalf("lookup(%#x) = %d, %v; want %d", h, line, ok, want)
		}
	}
	for range 1000 {
		if line, ok := x.lookup(rng.Uint64()); ok {
			t.Fatalf("an id never added is found (line %d)", line)
		}
	}
}

// TestIDIndexFull checks that a full index takes no more ids and still finds
// those it has.
func TestIDIndexFull(t *testing.T) {
	x := idIndex{hashes: make([]uint64, maxIDSlots), lines: make([]int32, maxIDSlots)}
	x.put(7, 3)
	x.n = maxIDSlots * 7 / 8
	if x.add(8, 4) {
		t.Fatal("a full index took another id")
	}
	if line, ok := x.lookup(7); !ok || line != 3 {
		t.Fatalf("lookup(7) = %d, %v", line, ok)
	}
	if _, ok := x.lookup(8); ok {
		t.Fatal("the refused id is found")
	}
}

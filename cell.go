package kume

// H3 index layout (H3 v4): bit 63 reserved (0), bits 59-62 the mode (1 for a
// cell), bits 56-58 reserved (0), bits 52-55 the resolution, bits 45-51 the
// base cell (0-121), then fifteen 3-bit digits, digit 1 first; digits beyond
// the resolution are 7.
const (
	h3ModeCell   = 1
	h3BaseCells  = 122
	h3MaxRes     = 15
	h3DigitBits  = 3
	h3BaseOffset = 45
)

// pentagonBase reports whether base cell b is a pentagon.
func pentagonBase(b uint64) bool {
	switch b {
	case 4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117:
		return true
	}
	return false
}

// IsCellOf reports whether cell is a valid H3 cell index of resolution res,
// by the rules of H3's isValidCell, without a call into the library: the
// stores check every cell statistic they are given with it.
func IsCellOf(cell uint64, res int) bool {
	if res < 0 || res > h3MaxRes || cell>>63 != 0 || cell>>59&0xf != h3ModeCell || cell>>56&0x7 != 0 ||
		int(cell>>52&0xf) != res {
		return false
	}
	base := cell >> h3BaseOffset & 0x7f
	if base >= h3BaseCells {
		return false
	}
	pentagon := pentagonBase(base)
	for r := 1; r <= h3MaxRes; r++ {
		d := cell >> (uint(h3MaxRes-r) * h3DigitBits) & 7
		switch {
		case r > res:
			if d != 7 {
				return false
			}
		case d == 7:
			return false
		case pentagon && d != 0:
			// A pentagon has no K-axis (1) child: its first digit that is
			// not 0 must not be 1.
			if d == 1 {
				return false
			}
			pentagon = false
		}
	}
	return true
}

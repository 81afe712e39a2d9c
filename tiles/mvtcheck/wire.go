package mvtcheck

import (
	"errors"
	"fmt"
)

var errTruncated = errors.New("truncated message")

// varint reads a base-128 varint at b[i:], returning the value and the index
// after it.
func varint(b []byte, i int) (uint64, int, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= len(b) {
			return 0, 0, errTruncated
		}
		c := b[i]
		i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i, nil
		}
	}
	return 0, 0, errors.New("varint overflows 64 bits")
}

// fields calls fn for every field of the message b. Varint and fixed fields
// pass their value in v; length-delimited fields pass their bytes in p.
func fields(b []byte, fn func(num, wire int, v uint64, p []byte) error) error {
	for i := 0; i < len(b); {
		key, j, err := varint(b, i)
		if err != nil {
			return err
		}
		i = j
		num, wire := int(key>>3), int(key&7)
		if num == 0 {
			return errors.New("field number 0")
		}
		var v uint64
		var p []byte
		switch wire {
		case 0:
			if v, i, err = varint(b, i); err != nil {
				return err
			}
		case 1:
			if i+8 > len(b) {
				return errTruncated
			}
			for k := 7; k >= 0; k-- {
				v = v<<8 | uint64(b[i+k])
			}
			i += 8
		case 2:
			var n uint64
			if n, i, err = varint(b, i); err != nil {
				return err
			}
			if n > uint64(len(b)-i) {
				return errTruncated
			}
			p = b[i : i+int(n)]
			i += int(n)
		case 5:
			if i+4 > len(b) {
				return errTruncated
			}
			for k := 3; k >= 0; k-- {
				v = v<<8 | uint64(b[i+k])
			}
			i += 4
		default:
			return fmt.Errorf("unsupported wire type %d", wire)
		}
		if err := fn(num, wire, v, p); err != nil {
			return err
		}
	}
	return nil
}

// packed decodes a packed repeated varint field (or a single unpacked one).
func packed(wire int, v uint64, p []byte) ([]uint64, error) {
	if wire == 0 {
		return []uint64{v}, nil
	}
	if wire != 2 {
		return nil, fmt.Errorf("repeated varint with wire type %d", wire)
	}
	var out []uint64
	for i := 0; i < len(p); {
		x, j, err := varint(p, i)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
		i = j
	}
	return out, nil
}

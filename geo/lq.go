package geo

// LQ returns the location quotient (e_ir / e_r) / (E_i / E): e_ir the measure
// of sector i in unit r, e_r the measure of all sectors (ECO) or of traded
// sectors (U.S. CMP) in r, E_i and E the same over the benchmark area. It is
// nil when undefined (e_r, E_i or E not positive, or any input not finite).
func LQ(eir, er, Ei, E float64) *float64 {
	if !finite(eir) || !finite(er) || !finite(Ei) || !finite(E) || eir < 0 || er <= 0 || Ei <= 0 || E <= 0 {
		return nil
	}
	v := (eir / er) / (Ei / E)
	if !finite(v) {
		return nil
	}
	return &v
}

// lqInto is LQ writing into a preallocated slot.
func lqInto(slot *float64, eir, er, Ei, E float64) *float64 {
	v := LQ(eir, er, Ei, E)
	if v == nil {
		return nil
	}
	*slot = *v
	return slot
}

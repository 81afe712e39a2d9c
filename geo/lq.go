package geo

// LQ returns the location quotient (e_ir / e_r) / (E_i / E): e_ir the measure
// of sector i in unit r, e_r the measure of all sectors (ECO) or of traded
// sectors (U.S. CMP) in r, E_i and E the same over the benchmark area. It is
// nil when undefined (e_r, E_i or E not positive, or any input not finite).
func LQ(eir, er, Ei, E float64) *float64 {
	v, ok := lqValue(eir, er, Ei, E)
	if !ok {
		return nil
	}
	return &v
}

// lqValue is LQ without the allocation; ok is false when it is undefined.
func lqValue(eir, er, Ei, E float64) (float64, bool) {
	if !finite(eir) || !finite(er) || !finite(Ei) || !finite(E) || eir < 0 || er <= 0 || Ei <= 0 || E <= 0 {
		return 0, false
	}
	v := (eir / er) / (Ei / E)
	return v, finite(v)
}

package ingest

import "math"

// webMercator is EPSG:3857, the spherical Mercator of web maps.
type webMercator struct{}

const webMercatorR = 6378137.0

func (webMercator) forward(lam, phi float64) (float64, float64) {
	return webMercatorR * lam, webMercatorR * math.Log(math.Tan(math.Pi/4+phi/2))
}

func (webMercator) inverse(x, y float64) (float64, float64) {
	return x / webMercatorR, math.Pi/2 - 2*math.Atan(math.Exp(-y/webMercatorR))
}

// lcc is the Lambert conformal conic projection in the form of EPSG guidance
// note 7-2 (methods 9801 "1SP" and 9802 "2SP").
type lcc struct {
	a, e, n, af, rf, lam0, fe, fn float64 // af = a·F·k0
}

// lccM is m = cos φ / sqrt(1 − e² sin² φ).
func lccM(e, phi float64) float64 {
	s := math.Sin(phi)
	return math.Cos(phi) / math.Sqrt(1-e*e*s*s)
}

// lccT is t = tan(π/4 − φ/2) / ((1 − e sin φ)/(1 + e sin φ))^(e/2).
func lccT(e, phi float64) float64 {
	s := math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) / math.Pow((1-e*s)/(1+e*s), e/2)
}

// newLCC2SP returns the two-standard-parallel form.
func newLCC2SP(ell ellipsoid, phi1, phi2, phi0, lam0, fe, fn float64) *lcc {
	e := math.Sqrt(ell.e2())
	m1, m2 := lccM(e, phi1), lccM(e, phi2)
	t1, t2, t0 := lccT(e, phi1), lccT(e, phi2), lccT(e, phi0)
	n := (math.Log(m1) - math.Log(m2)) / (math.Log(t1) - math.Log(t2))
	f := m1 / (n * math.Pow(t1, n))
	return &lcc{a: ell.a, e: e, n: n, af: ell.a * f, rf: ell.a * f * math.Pow(t0, n), lam0: lam0, fe: fe, fn: fn}
}

// newLCC1SP returns the one-standard-parallel form with scale k0 at phi0.
func newLCC1SP(ell ellipsoid, phi0, lam0, k0, fe, fn float64) *lcc {
	e := math.Sqrt(ell.e2())
	m0, t0 := lccM(e, phi0), lccT(e, phi0)
	n := math.Sin(phi0)
	f := m0 / (n * math.Pow(t0, n))
	af := ell.a * f * k0
	return &lcc{a: ell.a, e: e, n: n, af: af, rf: af * math.Pow(t0, n), lam0: lam0, fe: fe, fn: fn}
}

func (p *lcc) forward(lam, phi float64) (float64, float64) {
	r := p.af * math.Pow(lccT(p.e, phi), p.n)
	theta := p.n * (lam - p.lam0)
	return p.fe + r*math.Sin(theta), p.fn + p.rf - r*math.Cos(theta)
}

func (p *lcc) inverse(x, y float64) (float64, float64) {
	dx, dy := x-p.fe, p.rf-(y-p.fn)
	r := math.Copysign(math.Hypot(dx, dy), p.n)
	var theta float64
	if p.n > 0 {
		theta = math.Atan2(dx, dy)
	} else {
		theta = math.Atan2(-dx, -dy)
	}
	t := math.Pow(r/p.af, 1/p.n)
	phi := math.Pi/2 - 2*math.Atan(t)
	for i := 0; i < 15; i++ {
		s := p.e * math.Sin(phi)
		next := math.Pi/2 - 2*math.Atan(t*math.Pow((1-s)/(1+s), p.e/2))
		if math.Abs(next-phi) < 1e-13 {
			phi = next
			break
		}
		phi = next
	}
	return theta/p.n + p.lam0, phi
}

// tm is the transverse Mercator projection with Krüger's series to the fourth
// order in n (the "JHS" formulae of EPSG guidance note 7-2, method 9807), well
// below a millimetre within a few degrees of the central meridian.
type tm struct {
	e, k0a, lam0, fe, fn, m0 float64
	alpha, beta, delta       [4]float64
}

// newTM returns a transverse Mercator with origin phi0/lam0, scale k0 on the
// central meridian and false easting/northing fe/fn.
func newTM(ell ellipsoid, phi0, lam0, k0, fe, fn float64) *tm {
	n := ell.f / (2 - ell.f)
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	a := ell.a / (1 + n) * (1 + n2/4 + n4/64)
	p := &tm{e: math.Sqrt(ell.e2()), k0a: k0 * a, lam0: lam0, fe: fe, fn: fn}
	p.alpha = [4]float64{n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180, 13*n2/48 - 3*n3/5 + 557*n4/1440, 61*n3/240 - 103*n4/140, 49561 * n4 / 161280}
	p.beta = [4]float64{n/2 - 2*n2/3 + 37*n3/96 - n4/360, n2/48 + n3/15 - 437*n4/1440, 17*n3/480 - 37*n4/840, 4397 * n4 / 161280}
	p.delta = [4]float64{2*n - 2*n2/3 - 2*n3 + 116*n4/45, 7*n2/3 - 8*n3/5 - 227*n4/45, 56*n3/15 - 136*n4/35, 4279 * n4 / 630}
	if phi0 != 0 {
		_, p.m0 = p.project(0, phi0)
	}
	return p
}

// project returns k0·A·(η, ξ) for lam relative to the central meridian.
func (p *tm) project(dl, phi float64) (float64, float64) {
	s := math.Sin(phi)
	t := math.Sinh(math.Atanh(s) - p.e*math.Atanh(p.e*s))
	xi := math.Atan2(t, math.Cos(dl))
	eta := math.Atanh(math.Sin(dl) / math.Sqrt(1+t*t))
	x, y := eta, xi
	for j, a := range p.alpha {
		k := 2 * float64(j+1)
		x += a * math.Cos(k*xi) * math.Sinh(k*eta)
		y += a * math.Sin(k*xi) * math.Cosh(k*eta)
	}
	return p.k0a * x, p.k0a * y
}

func (p *tm) forward(lam, phi float64) (float64, float64) {
	x, y := p.project(lam-p.lam0, phi)
	return p.fe + x, p.fn + y - p.m0
}

func (p *tm) inverse(x, y float64) (float64, float64) {
	xi := (y - p.fn + p.m0) / p.k0a
	eta := (x - p.fe) / p.k0a
	xi1, eta1 := xi, eta
	for j, b := range p.beta {
		k := 2 * float64(j+1)
		xi1 -= b * math.Sin(k*xi) * math.Cosh(k*eta)
		eta1 -= b * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	chi := math.Asin(math.Sin(xi1) / math.Cosh(eta1))
	phi := chi
	for j, d := range p.delta {
		phi += d * math.Sin(2*float64(j+1)*chi)
	}
	return p.lam0 + math.Atan2(math.Sinh(eta1), math.Cos(xi1)), phi
}

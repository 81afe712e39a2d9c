package emerging

import (
	"net/url"
	"regexp"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// Options are the method parameters of one emerging hot spot analysis as a
// caller gives them: the query parameters res, step, from, to, k, window,
// undated, measure, alpha and fdr of every face (GET /api/v1/emerging, the
// emerging tiles, the exports, the cluster dynamics). The zero value is not
// valid; start from DefaultOptions. Options are comparable, so that they can
// be part of a cache key.
type Options struct {
	// Res is the H3 resolution of the cube, 0..kume.BaseResolution.
	Res int
	// Step is the length of a time step.
	Step geo.Step
	// From and To bound the span as given ("" takes the default: To the step
	// of the latest date among the firms, From nine steps before it).
	From, To string
	// K is the grid-disk radius, 1..geo.MaxK; 0 takes the analysis run's k.
	K int
	// Window is the number of previous time steps in a bin's neighbourhood.
	Window int
	// Undated says how firms without a founding date count.
	Undated geo.Undated
	// Employment analyses employment instead of active firms.
	Employment bool
	// Level is the confidence a bin and a trend must reach: 1, 2 or 3 for
	// alpha 0.10, 0.05 or 0.01.
	Level int
	// FDR controls the false discovery rate over the bins of the cube.
	FDR bool
}

// DefaultOptions returns the defaults: resolution layer.DefaultRes, yearly
// steps ending at the latest date of the data, the analysis run's k, window
// 1, undated firms present from the first step, active firms, alpha 0.10 and
// the false discovery rate controlled.
func DefaultOptions() Options {
	return Options{Res: layer.DefaultRes, Step: geo.StepYear, Window: 1, Undated: geo.UndatedPresent, Level: 1, FDR: true}
}

// Parameter names of Options.
const (
	ParamRes     = "res"
	ParamStep    = "step"
	ParamFrom    = "from"
	ParamTo      = "to"
	ParamK       = "k"
	ParamWindow  = "window"
	ParamUndated = "undated"
	ParamMeasure = "measure"
	ParamAlpha   = "alpha"
	ParamFDR     = "fdr"
)

// ParamNames lists the query parameters ParseOptions reads.
func ParamNames() []string {
	return []string{ParamRes, ParamStep, ParamFrom, ParamTo, ParamK, ParamWindow, ParamUndated, ParamMeasure, ParamAlpha, ParamFDR}
}

// Values of the measure parameter.
const (
	MeasureFirms      = "firms"
	MeasureEmployment = "employment"
)

// maxText is the longest value a parameter may have.
const maxText = 200

var intRE = regexp.MustCompile(`^[+-]?[0-9]{1,9}$`)

// invalid returns an EINVALID error about one parameter, worded as the HTTP
// API words its errors.
func invalid(name, format string, args ...any) error {
	return kume.Errorf(kume.EINVALID, "parameter %q: "+format, append([]any{name}, args...)...)
}

// ParseOptions reads the Options from get, which returns a parameter's value
// and whether it was given. Absent parameters take DefaultOptions, and so do
// an empty step, from, to, undated or measure. A value out of range or
// malformed is an EINVALID error naming the parameter; messages quote no more
// of the input than geo.ParsePeriod does.
func ParseOptions(get func(name string) (string, bool)) (Options, error) {
	o := DefaultOptions()
	text := func(name string) (string, bool, error) {
		v, ok := get(name)
		if !ok {
			return "", false, nil
		}
		if len(v) > maxText {
			return "", true, invalid(name, "longer than %d bytes", maxText)
		}
		if !utf8.ValidString(v) {
			return "", true, invalid(name, "not valid UTF-8")
		}
		for _, c := range v {
			if unicode.IsControl(c) {
				return "", true, invalid(name, "contains a control character")
			}
		}
		return v, true, nil
	}
	integer := func(name string, dst *int, lo, hi int) error {
		v, ok, err := text(name)
		if err != nil || !ok {
			return err
		}
		if !intRE.MatchString(v) {
			return invalid(name, "not an integer")
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return invalid(name, "outside %d..%d", lo, hi)
		}
		*dst = n
		return nil
	}
	if err := integer(ParamRes, &o.Res, 0, kume.BaseResolution); err != nil {
		return o, err
	}
	if err := integer(ParamK, &o.K, 1, geo.MaxK); err != nil {
		return o, err
	}
	if err := integer(ParamWindow, &o.Window, 0, geo.MaxWindow); err != nil {
		return o, err
	}
	v, ok, err := text(ParamStep)
	if err != nil {
		return o, err
	}
	if ok && v != "" {
		switch s := geo.Step(v); s {
		case geo.StepYear, geo.StepQuarter, geo.StepMonth:
			o.Step = s
		default:
			return o, invalid(ParamStep, "not year, quarter or month")
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{ParamFrom, &o.From}, {ParamTo, &o.To}} {
		v, ok, err := text(f.name)
		if err != nil {
			return o, err
		}
		if !ok || v == "" {
			continue
		}
		if _, _, perr := geo.ParsePeriod(v); perr != nil {
			return o, invalid(f.name, "%v", perr)
		}
		*f.dst = v
	}
	if v, ok, err = text(ParamUndated); err != nil {
		return o, err
	} else if ok && v != "" {
		switch u := geo.Undated(v); u {
		case geo.UndatedPresent, geo.UndatedOmit:
			o.Undated = u
		default:
			return o, invalid(ParamUndated, "not present or omit")
		}
	}
	if v, ok, err = text(ParamMeasure); err != nil {
		return o, err
	} else if ok && v != "" {
		switch v {
		case MeasureFirms:
		case MeasureEmployment:
			o.Employment = true
		default:
			return o, invalid(ParamMeasure, "not firms or employment")
		}
	}
	if v, ok, err = text(ParamAlpha); err != nil {
		return o, err
	} else if ok {
		switch a, err := strconv.ParseFloat(v, 64); {
		case err == nil && a == 0.10 && !hexOrSpecial(v):
			o.Level = 1
		case err == nil && a == 0.05 && !hexOrSpecial(v):
			o.Level = 2
		case err == nil && a == 0.01 && !hexOrSpecial(v):
			o.Level = 3
		default:
			return o, invalid(ParamAlpha, "not 0.10, 0.05 or 0.01")
		}
	}
	if v, ok, err = text(ParamFDR); err != nil {
		return o, err
	} else if ok {
		switch v {
		case "true", "1":
			o.FDR = true
		case "false", "0":
			o.FDR = false
		default:
			return o, invalid(ParamFDR, "not true or false")
		}
	}
	return o, nil
}

// decimalRE is the form a number may take: decimal digits, a point, an
// exponent; no hexadecimal, underscores, infinities or NaN.
var decimalRE = regexp.MustCompile(`^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// hexOrSpecial reports whether v is not a plain decimal number, which
// strconv.ParseFloat would still read (0x1p-4, 1_0, Inf).
func hexOrSpecial(v string) bool { return len(v) > 64 || !decimalRE.MatchString(v) }

// Validate checks options built in code (ParseOptions already did).
func (o Options) Validate() error {
	switch {
	case o.Res < 0 || o.Res > kume.BaseResolution:
		return invalid(ParamRes, "outside 0..%d", kume.BaseResolution)
	case o.K < 0 || o.K > geo.MaxK:
		return invalid(ParamK, "outside 1..%d", geo.MaxK)
	case o.Window < 0 || o.Window > geo.MaxWindow:
		return invalid(ParamWindow, "outside 0..%d", geo.MaxWindow)
	case o.Step != geo.StepYear && o.Step != geo.StepQuarter && o.Step != geo.StepMonth:
		return invalid(ParamStep, "not year, quarter or month")
	case o.Undated != geo.UndatedPresent && o.Undated != geo.UndatedOmit:
		return invalid(ParamUndated, "not present or omit")
	case o.Level < 1 || o.Level > 3:
		return invalid(ParamAlpha, "not 0.10, 0.05 or 0.01")
	}
	for _, f := range []struct{ name, v string }{{ParamFrom, o.From}, {ParamTo, o.To}} {
		if _, _, err := geo.ParsePeriod(f.v); f.v != "" && err != nil {
			return invalid(f.name, "%v", err)
		}
	}
	return nil
}

// Alpha returns the p-value of the confidence level: 0.10, 0.05 or 0.01.
func (o Options) Alpha() float64 { return geo.EmergingParams{Level: o.Level}.Alpha() }

// Measure returns the name of the analysed measure: firms or employment.
func (o Options) Measure() string {
	if o.Employment {
		return MeasureEmployment
	}
	return MeasureFirms
}

// Values returns the options as query parameters, those that differ from
// DefaultOptions only: the canonical form of URLs (TileJSON templates, the
// web map's requests) and of cache keys.
func (o Options) Values() url.Values {
	d := DefaultOptions()
	v := url.Values{}
	if o.Res != d.Res {
		v.Set(ParamRes, strconv.Itoa(o.Res))
	}
	if o.Step != d.Step {
		v.Set(ParamStep, string(o.Step))
	}
	if o.From != "" {
		v.Set(ParamFrom, o.From)
	}
	if o.To != "" {
		v.Set(ParamTo, o.To)
	}
	if o.K != 0 {
		v.Set(ParamK, strconv.Itoa(o.K))
	}
	if o.Window != d.Window {
		v.Set(ParamWindow, strconv.Itoa(o.Window))
	}
	if o.Undated != d.Undated {
		v.Set(ParamUndated, string(o.Undated))
	}
	if o.Employment {
		v.Set(ParamMeasure, MeasureEmployment)
	}
	if o.Level != d.Level {
		v.Set(ParamAlpha, strconv.FormatFloat(o.Alpha(), 'f', 2, 64))
	}
	if o.FDR != d.FDR {
		v.Set(ParamFDR, strconv.FormatBool(o.FDR))
	}
	return v
}

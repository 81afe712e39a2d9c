package ingest

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kume-geo/kume"
)

// ParseEmployees reads a head count or a band as registers write it:
//
//	"12", "12.0"                         -> exactly 12
//	"1-9 Beschäftigte", "10 - 49", "1–9" -> band 1..9, 10..49
//	"250+", "250 ve üzeri", "ab 250", "über 250", "> 250" -> open band from 250 (251 for ">")
//	"< 10"                               -> band 0..9
//	"", "unbekannt", "k.A.", "bilinmiyor" and any text without a digit -> unknown
//
// Negative counts, bands whose high end is below the low end and text with
// digits that fits none of these forms are errors.
func ParseEmployees(s string) (kume.Employees, error) {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "0123456789") {
		return kume.Employees{}, nil
	}
	i := strings.IndexAny(s, "0123456789")
	prefix := strings.ToLower(strings.TrimSpace(s[:i]))
	low, rest, err := leadingInt(s[i:])
	if err != nil {
		return kume.Employees{}, err
	}
	rest = strings.TrimSpace(rest)
	switch prefix {
	case "":
	case "-", "−":
		return kume.Employees{}, errors.New("negative number of employees")
	case ">", "über", "uber", "ab", "more than", "over", "mehr als":
		if prefix == ">" || prefix == "more than" || prefix == "mehr als" {
			low++
		}
		return kume.EmployeeBand(low, -1), nil
	case "<", "unter", "less than", "under":
		if low == 0 {
			return kume.Employees{}, errors.New("fewer than 0 employees")
		}
		return kume.EmployeeBand(0, low-1), nil
	default:
		return kume.Employees{}, errors.New("cannot read the number of employees")
	}
	if strings.HasPrefix(rest, "+") || startsWithWord(rest, "ve üzeri", "und mehr", "or more", "and more", "plus", "ve fazlası") {
		return kume.EmployeeBand(low, -1), nil
	}
	for _, dash := range []string{"-", "–", "—", "bis", "to", "ile"} {
		if r, ok := strings.CutPrefix(rest, dash); ok {
			high, tail, err := leadingInt(strings.TrimSpace(r))
			if err != nil {
				return kume.Employees{}, err
			}
			if high < low {
				return kume.Employees{}, errors.New("employee band ends below its start")
			}
			if strings.ContainsAny(tail, "0123456789") {
				return kume.Employees{}, errors.New("cannot read the number of employees")
			}
			return kume.EmployeeBand(low, high), nil
		}
	}
	if strings.ContainsAny(rest, "0123456789") {
		return kume.Employees{}, errors.New("cannot read the number of employees")
	}
	return kume.ExactEmployees(low), nil
}

// leadingInt reads the digits at the start of s (allowing "12.0" and "1.000"
// style thousands with exactly three digits after the dot) and returns the rest.
func leadingInt(s string) (int, string, error) {
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 0 {
		return 0, s, errors.New("cannot read the number of employees")
	}
	digits := s[:j]
	rest := s[j:]
	if len(rest) >= 2 && (rest[0] == '.' || rest[0] == ',') {
		k := 1
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		frac := rest[1:k]
		switch {
		case strings.Trim(frac, "0") == "" && len(frac) > 0 && len(frac) != 3:
			rest = rest[k:]
		case len(frac) == 3:
			digits += frac
			rest = rest[k:]
		}
	}
	if len(digits) > 9 {
		return 0, rest, errors.New("number of employees too large")
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, rest, errors.New("cannot read the number of employees")
	}
	return n, rest, nil
}

func startsWithWord(s string, words ...string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

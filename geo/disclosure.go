package geo

// Suppressed reports whether an aggregate of firms active firms with total
// employment emp, whose largest single firm employs maxEmp, must be withheld
// from public output: fewer than k firms (threshold rule), or one firm holding
// more than share of the employment (dominance rule, only with emp > 0).
// Aggregates with no firms disclose nothing and are not suppressed. Callers
// pass the employment of firms with an exact head count as emp and maxEmp:
// a band's midpoint says nothing confidential about one firm, so firms known
// only by a band never trigger the dominance rule.
func Suppressed(firms int, emp, maxEmp float64, k int, share float64) bool {
	if firms <= 0 {
		return false
	}
	if firms < k {
		return true
	}
	return emp > 0 && maxEmp > share*emp
}

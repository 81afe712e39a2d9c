package ingest

import (
	"testing"

	"github.com/kume-geo/kume"
)

func TestParseEmployees(t *testing.T) {
	cases := []struct {
		in   string
		want kume.Employees
	}{
		{"0", kume.ExactEmployees(0)},
		{"0 Beschäftigte", kume.ExactEmployees(0)},
		{"12", kume.ExactEmployees(12)},
		{"12.0", kume.ExactEmployees(12)},
		{"1.500", kume.ExactEmployees(1500)},
		{"1-9 Beschäftigte", kume.EmployeeBand(1, 9)},
		{"1 - 3 Beschäftigte", kume.EmployeeBand(1, 3)},
		{"1000 - 2499 Beschäftigte", kume.EmployeeBand(1000, 2499)},
		{"10-49", kume.EmployeeBand(10, 49)},
		{"10–49", kume.EmployeeBand(10, 49)},
		{"250+", kume.EmployeeBand(250, -1)},
		{"250 ve üzeri", kume.EmployeeBand(250, -1)},
		{"ab 250", kume.EmployeeBand(250, -1)},
		{"> 250", kume.EmployeeBand(251, -1)},
		{"< 10", kume.EmployeeBand(0, 9)},
		{"", kume.Employees{}},
		{"unbekannt", kume.Employees{}},
		{"k.A.", kume.Employees{}},
	}
	for _, c := range cases {
		got, err := ParseEmployees(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseEmployees(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"-5", "49-10", "12 of 40", "abc 12 def", "99999999999", "< 0"} {
		if got, err := ParseEmployees(bad); err == nil {
			t.Errorf("ParseEmployees(%q) = %+v; want an error", bad, got)
		}
	}
}

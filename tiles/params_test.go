package tiles

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
)

func TestParseTileID(t *testing.T) {
	tests := []struct {
		z, x, y string
		ok      bool
	}{
		{"0", "0", "0", true},
		{"8", "149", "95", true},
		{"22", "4194303", "0", true},
		{"23", "0", "0", false},
		{"1", "2", "0", false},
		{"-1", "0", "0", false},
		{"1e1", "0", "0", false},
		{" 1", "0", "0", false},
		{"8", "99999999999999999999", "0", false},
		{"8", "", "0", false},
		{"x", "0", "0", false},
		{"8", "0x1", "0", false},
	}
	for _, tt := range tests {
		_, err := ParseTileID(tt.z, tt.x, tt.y)
		if (err == nil) != tt.ok || (err != nil && kume.ErrorCode(err) != kume.EINVALID) {
			t.Errorf("ParseTileID(%q, %q, %q) = %v, want ok=%v", tt.z, tt.x, tt.y, err, tt.ok)
		}
	}
}

func TestParseLayers(t *testing.T) {
	tests := []struct {
		in   string
		code string
	}{
		{"hexagons", ""},
		{"hexagons,clusters,regions,establishments,institutions", ""},
		{"hexagons,hexagons", kume.EINVALID},
		{"", kume.EINVALID},
		{"hexagons,", kume.ENOTFOUND},
		{"roads", kume.ENOTFOUND},
		{strings.Repeat("hexagons,", 50), kume.EINVALID},
	}
	for _, tt := range tests {
		_, err := ParseLayers(tt.in)
		if kume.ErrorCode(err) != tt.code {
			t.Errorf("ParseLayers(%.30q) = %v, want code %q", tt.in, err, tt.code)
		}
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		layers string
		query  string
		ok     bool
	}{
		{"hexagons", "", true},
		{"hexagons", "sector=C", true},
		{"hexagons", "sector=13.20&res=7", true},
		{"hexagons", "sector=vc:textiles-apparel_2", true},
		{"hexagons", "sector=U", true},
		{"hexagons", "sector=V", false}, // sections V–Z do not exist: the same error as the API's
		{"hexagons", "sector=Z", false},
		{"hexagons", "sector=00", false},
		{"hexagons", "sector=1320", false},
		{"hexagons", "sector=13'%20OR%201=1--", false},
		{"hexagons", "sector=13%25", false},
		{"hexagons", "sector=1*", false},
		{"hexagons", "sector=13%00", false},
		{"hexagons", "sector=" + strings.Repeat("1", 10240), false},
		{"hexagons", "sector=c", false},
		{"hexagons", "sector=vc:" + strings.Repeat("a", 65), false},
		{"hexagons", "sector=C&sector=F", false},
		{"hexagons", "res=16", false},
		{"hexagons", "res=-1", false},
		{"hexagons", "res=007", false},
		{"hexagons", "colour=red", false},
		{"clusters", "res=7", false},
		{"institutions", "type=university", true},
		{"institutions", "type=castle", false},
		{"regions", "level=province", true},
		{"regions", "level=Province%3BDROP", false},
	}
	svc := newService(t, emptyStore(t), Config{})
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.ParseParams(strings.Split(tt.layers, ","), q)
		if (err == nil) != tt.ok || (err != nil && kume.ErrorCode(err) != kume.EINVALID) {
			t.Errorf("ParseParams(%s, %.40q) = %v, want ok=%v", tt.layers, tt.query, err, tt.ok)
		}
		if err != nil && len(kume.ErrorMessage(err)) > 200 {
			t.Errorf("error message echoes the input: %d bytes", len(kume.ErrorMessage(err)))
		}
	}
}

func FuzzParseTileID(f *testing.F) {
	f.Add("8", "149", "95")
	f.Fuzz(func(t *testing.T, z, x, y string) {
		id, err := ParseTileID(z, x, y)
		if err == nil && (id.Z > MaxZoom || id.X >= 1<<id.Z || id.Y >= 1<<id.Z) {
			t.Fatalf("accepted %v", id)
		}
	})
}

func FuzzParseParams(f *testing.F) {
	f.Add("sector=13.2&res=7")
	f.Add("sector=Z")
	svc := newService(f, emptyStore(f), Config{})
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p, err := svc.ParseParams([]string{LayerHexagons, LayerRegions, LayerInstitutions}, q)
		if err != nil {
			return
		}
		if s, err := svc.cfg.Sectors.Parse(p.Sector); err != nil || s != p.Sector {
			t.Fatalf("accepted sector %q", p.Sector)
		}
	})
}

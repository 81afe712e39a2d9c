package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
)

// The registers below are SYNTHETIC: seeded generators write them in the
// shape of national registers the project had not read before (a French
// SIRENE-like extract with NAF codes in Lambert-93 and windows-1252, a
// Belgian KBO-like extract with NACE-BEL codes, a Turkish chamber list with
// six-digit codes in windows-1254), with a few rows planted wrong. Every name
// says SYNTHETIC. Each row comes with the decision the import must make.

// plannedRow is one generated row and what the import must do with it.
type plannedRow struct {
	id string
	// reason is a part of the reject reason; "" for a row to accept.
	reason string
	// nace and precision are what an accepted row must be stored with.
	nace      string
	precision kume.Precision
}

// register is a generated file with its import flags and its plan.
type register struct {
	file    string // file name
	data    []byte
	args    []string // import flags beyond the dataset and the store
	rows    []plannedRow
	regions [][2]string // level and GeoJSON of regions to load first
}

// jitter returns a point near lon/lat, drawn with a normal spread.
func jitter(rng *rand.Rand, lon, lat, sd float64) (float64, float64) {
	return lon + sd*rng.NormFloat64(), lat + sd*rng.NormFloat64()
}

// frenchRegister is n rows of French establishments: NAF codes (with and
// without the dot), positions in Lambert-93 (EPSG:2154) with a decimal
// comma, names in windows-1252.
func frenchRegister(seed uint64, n int) register {
	rng := rand.New(rand.NewPCG(seed, 33))
	l93, _ := ingest.ParseCRS("EPSG:2154")
	l2, _ := ingest.ParseCRS("EPSG:27572")
	cities := [][2]float64{{2.35, 48.86}, {4.84, 45.76}, {5.37, 43.30}, {3.06, 50.63}, {1.44, 43.60}}
	naf := []struct{ code, class string }{{"10.71C", "10.71"}, {"47.11B", "47.11"}, {"62.01Z", "62.01"}, {"56.10A", "56.10"},
		{"01.11Z", "01.11"}, {"41.20A", "41.20"}, {"86.21Z", "86.21"}, {"47.73Z", "47.73"}, {"49.41A", "49.41"}, {"68.20A", "68.20"}}
	words := []string{"Boulangerie", "Café des Sœurs", "Œuvre Générale", "Pâtisserie", "Société Bâtiment", "Hôtel Élysée"}
	var b strings.Builder
	b.WriteString("SIRET;Raison sociale;Code APE;X;Y;Date de création;Effectif\n")
	reg := register{file: "sirene-synthetique.csv", args: []string{"--crs", "EPSG:2154", "--encoding", "windows-1252",
		"--map", "id=SIRET", "--map", "name=Raison sociale", "--map", "nace=Code APE", "--map", "lon=X", "--map", "lat=Y",
		"--map", "founded=Date de création", "--map", "employees=Effectif"}}
	comma := func(v float64) string { return strings.Replace(fmt.Sprintf("%.2f", v), ".", ",", 1) }
	for i := range n {
		id := fmt.Sprintf("%014d", 30000000000000+int64(i)*7919)
		c := cities[rng.IntN(len(cities))]
		lon, lat := jitter(rng, c[0], c[1], 0.05)
		x, y := l93.FromWGS84(lon, lat)
		code := naf[rng.IntN(len(naf))]
		raw := code.code
		if rng.IntN(2) == 0 {
			raw = strings.Replace(raw, ".", "", 1)
		}
		founded := fmt.Sprintf("%d-%02d-%02d", 1990+rng.IntN(30), 1+rng.IntN(12), 1+rng.IntN(28))
		row := plannedRow{id: id, nace: code.class, precision: kume.PrecisionAddress}
		xs, ys := comma(x), comma(y)
		switch i {
		case 40: // Lambert zone II coordinates in a Lambert-93 file
			x2, y2 := l2.FromWGS84(lon, lat)
			xs, ys, row.reason = comma(x2), comma(y2), "EPSG:2154"
		case 55:
			xs, ys, row.reason = "0", "0", "coordinates 0, 0 are a placeholder"
		case 70:
			founded, row.reason = "2031-05-01", "a date in the future"
		case 85:
			raw, row.reason = "99.99Z", `unknown NACE code "99.99Z"`
		case 100:
			id, row.reason = fmt.Sprintf("%014d", 30000000000000+int64(10)*7919), "duplicate id"
			row.id = ""
		}
		fmt.Fprintf(&b, "%s;SYNTHÉTIQUE %s n°%d;%s;%s;%s;%s;%d\n", id, words[rng.IntN(len(words))], i, raw, xs, ys, founded, rng.IntN(250))
		reg.rows = append(reg.rows, row)
	}
	enc, err := charmap.Windows1252.NewEncoder().String(b.String())
	if err != nil {
		panic(err)
	}
	reg.data = []byte(enc)
	return reg
}

// belgianRegister is n rows of Belgian establishments: NACE-BEL codes of
// five digits (with and without the dot), WGS84 positions, UTF-8.
func belgianRegister(seed uint64, n int) register {
	rng := rand.New(rand.NewPCG(seed, 32))
	cities := [][2]float64{{4.35, 50.85}, {4.40, 51.22}, {3.72, 51.05}, {5.57, 50.63}}
	codes := []struct{ code, class string }{{"94.910", "94.91"}, {"47.111", "47.11"}, {"62.010", "62.01"}, {"56.101", "56.10"},
		{"68.201", "68.20"}, {"86.210", "86.21"}, {"01.110", "01.11"}, {"43.221", "43.22"}}
	var b strings.Builder
	b.WriteString("ondernemingsnummer,naam,nacebel,breedtegraad,lengtegraad,gemeente\n")
	reg := register{file: "kbo-synthetisch.csv", args: []string{"--map", "id=ondernemingsnummer", "--map", "name=naam",
		"--map", "nace=nacebel", "--map", "lat=breedtegraad", "--map", "lon=lengtegraad"}}
	for i := range n {
		id := fmt.Sprintf("0%03d.%03d.%03d", 400+i/1000000, (i/1000)%1000, i%1000)
		c := cities[rng.IntN(len(cities))]
		lon, lat := jitter(rng, c[0], c[1], 0.04)
		code := codes[rng.IntN(len(codes))]
		raw := code.code
		if rng.IntN(2) == 0 {
			raw = strings.Replace(raw, ".", "", 1)
		}
		row := plannedRow{id: id, nace: code.class, precision: kume.PrecisionAddress}
		las, los := fmt.Sprintf("%.5f", lat), fmt.Sprintf("%.5f", lon)
		switch i {
		case 45: // latitude and longitude exchanged
			las, los, row.reason = los, las, "latitude and longitude appear swapped"
		case 60:
			raw, row.reason = "99.999", "no NACE Rev. 2 class"
		case 75:
			las, los, row.reason = "0.0", "0.0", "coordinates 0, 0 are a placeholder"
		}
		fmt.Fprintf(&b, "%s,SYNTHETISCH bedrijf %d,%s,%s,%s,gemeente %d\n", id, i, raw, las, los, i%19)
		reg.rows = append(reg.rows, row)
	}
	reg.data = []byte(b.String())
	return reg
}

// gaziantepRegions returns generated boxes standing for the province of
// Gaziantep (code 27) and two of its districts, whose parent codes are
// written "027" and "27".
func gaziantepRegions() [][2]string {
	box := func(w, s, e, n float64, props string) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			props, w, s, e, s, e, n, w, n, w, s)
	}
	prov := `{"type":"FeatureCollection","features":[` + box(36.5, 36.6, 38.0, 37.6, `"name":"Gaziantep","code":"27","note":"SYNTHETIC box"`) + `]}`
	dist := `{"type":"FeatureCollection","features":[` +
		box(37.30, 36.95, 37.45, 37.07, `"name":"Şahinbey","code":"2701","il":"027","note":"SYNTHETIC box"`) + "," +
		box(37.30, 37.07, 37.45, 37.20, `"name":"Şehitkamil","code":"2702","il":"27","note":"SYNTHETIC box"`) + `]}`
	return [][2]string{{"province", prov}, {"district", dist}}
}

// turkishRegister is n rows of firms around Gaziantep, where latitude
// (37.07° N) and longitude (37.38° E) are close: six-digit activity codes
// (with and without dots), windows-1254, Turkish headers the importer knows;
// every seventh row has no coordinates but its province and district.
func turkishRegister(seed uint64, n int) register {
	rng := rand.New(rand.NewPCG(seed, 27))
	classes := []string{"13.20", "10.71", "25.11", "46.90", "47.11", "14.13"}
	var b strings.Builder
	b.WriteString("Sicil No;Ünvan;NACE Kodu;Enlem;Boylam;İl;İlçe;Kuruluş Tarihi\n")
	reg := register{file: "gaziantep-sentetik.csv", args: []string{"--encoding", "windows-1254"}, regions: gaziantepRegions()}
	for i := range n {
		id := fmt.Sprintf("27-%06d", i)
		lon, lat := jitter(rng, 37.383, 37.066, 0.08)
		class := classes[rng.IntN(len(classes))]
		raw := fmt.Sprintf("%s.%02d", class, 1+rng.IntN(9))
		if rng.IntN(2) == 0 {
			raw = strings.ReplaceAll(raw, ".", "")
		}
		province, district := "Gaziantep", []string{"Şahinbey", "Şehitkamil"}[rng.IntN(2)]
		row := plannedRow{id: id, nace: class, precision: kume.PrecisionAddress}
		las, los := fmt.Sprintf("%.5f", lat), fmt.Sprintf("%.5f", lon)
		founded := fmt.Sprintf("%02d.%02d.%d", 1+rng.IntN(28), 1+rng.IntN(12), 1985+rng.IntN(35))
		if i%7 == 3 {
			las, los, row.precision = "", "", kume.PrecisionDistrict
		}
		switch i {
		case 50:
			raw, row.reason = "99.99.99", "no NACE Rev. 2 class"
		case 65:
			las, los, row.reason = "0", "0", "coordinates 0, 0 are a placeholder"
		case 80:
			founded, row.reason = "01.01.2031", "a date in the future"
		case 94: // no coordinates, and a place no region has
			las, los, province, district, row.reason = "", "", "Atlantis", "Merkez", "was not found"
		}
		fmt.Fprintf(&b, "%s;SENTETİK Öztürk Tekstil Şirketi %d;%s;%s;%s;%s;%s;%s\n", id, i, raw, las, los, province, district, founded)
		reg.rows = append(reg.rows, row)
	}
	enc, err := charmap.Windows1254.NewEncoder().String(b.String())
	if err != nil {
		panic(err)
	}
	reg.data = []byte(enc)
	return reg
}

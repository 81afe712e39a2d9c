package synth

// province is what the generator knows of a province besides its centroid:
// its population and, for the large cities, the position of the city centre.
type province struct {
	plate string
	// pop is the population in thousands, rounded: approximate figures after
	// TÜİK's address-based population statistics (2023), used only as
	// sampling weights.
	pop float64
	// lat, lon place the main city centre; zero means the province centroid.
	lat, lon float64
	// special lists NACE divisions the province is known for; they get a
	// larger share of its synthetic firms.
	special []string
}

// provinces lists Türkiye's 81 provinces by licence plate number.
func provinces() []province {
	return []province{
		{"01", 2270, 37.00, 35.32, []string{"13", "10"}},
		{"02", 610, 0, 0, nil},
		{"03", 750, 0, 0, []string{"23"}},
		{"04", 510, 0, 0, nil},
		{"05", 335, 0, 0, nil},
		{"06", 5800, 39.93, 32.86, []string{"62", "28", "30"}},
		{"07", 2700, 36.90, 30.70, []string{"55", "01"}},
		{"08", 170, 0, 0, nil},
		{"09", 1160, 0, 0, []string{"01", "10"}},
		{"10", 1270, 0, 0, []string{"10"}},
		{"11", 230, 0, 0, []string{"23"}},
		{"12", 285, 0, 0, nil},
		{"13", 355, 0, 0, nil},
		{"14", 320, 0, 0, []string{"10"}},
		{"15", 275, 0, 0, nil},
		{"16", 3200, 40.19, 29.06, []string{"29", "13"}},
		{"17", 560, 0, 0, nil},
		{"18", 200, 0, 0, nil},
		{"19", 525, 0, 0, []string{"28"}},
		{"20", 1060, 37.78, 29.09, []string{"13", "14"}},
		{"21", 1820, 37.91, 40.24, nil},
		{"22", 415, 0, 0, nil},
		{"23", 590, 0, 0, nil},
		{"24", 240, 0, 0, nil},
		{"25", 750, 0, 0, nil},
		{"26", 920, 39.78, 30.52, []string{"30", "23"}},
		{"27", 2160, 37.07, 37.38, []string{"13", "10"}},
		{"28", 450, 0, 0, []string{"01"}},
		{"29", 145, 0, 0, nil},
		{"30", 275, 0, 0, nil},
		{"31", 1540, 0, 0, []string{"24"}},
		{"32", 445, 0, 0, nil},
		{"33", 1920, 36.80, 34.63, []string{"52", "01"}},
		{"34", 15650, 41.01, 28.98, []string{"14", "62", "46"}},
		{"35", 4480, 38.42, 27.14, []string{"10", "28"}},
		{"36", 275, 0, 0, nil},
		{"37", 380, 0, 0, nil},
		{"38", 1440, 38.72, 35.49, []string{"31", "13"}},
		{"39", 370, 0, 0, nil},
		{"40", 245, 0, 0, nil},
		{"41", 2100, 40.77, 29.92, []string{"20", "29", "24"}},
		{"42", 2320, 37.87, 32.49, []string{"28", "29"}},
		{"43", 580, 0, 0, []string{"23"}},
		{"44", 740, 0, 0, nil},
		{"45", 1470, 38.61, 27.43, []string{"27"}},
		{"46", 1120, 0, 0, []string{"13"}},
		{"47", 870, 0, 0, nil},
		{"48", 1050, 0, 0, []string{"55"}},
		{"49", 400, 0, 0, nil},
		{"50", 315, 0, 0, []string{"55"}},
		{"51", 370, 0, 0, nil},
		{"52", 765, 0, 0, []string{"01"}},
		{"53", 345, 0, 0, []string{"10"}},
		{"54", 1100, 40.78, 30.40, []string{"29"}},
		{"55", 1370, 41.29, 36.33, nil},
		{"56", 330, 0, 0, nil},
		{"57", 220, 0, 0, nil},
		{"58", 640, 0, 0, nil},
		{"59", 1170, 41.16, 27.80, []string{"13", "22"}},
		{"60", 600, 0, 0, nil},
		{"61", 820, 41.00, 39.72, nil},
		{"62", 90, 0, 0, nil},
		{"63", 2210, 37.16, 38.79, []string{"01"}},
		{"64", 375, 0, 0, []string{"13"}},
		{"65", 1130, 0, 0, nil},
		{"66", 415, 0, 0, nil},
		{"67", 585, 0, 0, []string{"05"}},
		{"68", 435, 0, 0, nil},
		{"69", 85, 0, 0, nil},
		{"70", 260, 0, 0, []string{"10"}},
		{"71", 280, 0, 0, nil},
		{"72", 640, 0, 0, nil},
		{"73", 560, 0, 0, nil},
		{"74", 205, 0, 0, nil},
		{"75", 95, 0, 0, nil},
		{"76", 205, 0, 0, nil},
		{"77", 300, 0, 0, nil},
		{"78", 250, 0, 0, []string{"24"}},
		{"79", 155, 0, 0, nil},
		{"80", 560, 0, 0, []string{"10"}},
		{"81", 410, 0, 0, nil},
	}
}

// divisionWeights returns the nationwide relative frequency of firms by NACE
// division (rough shares of a register of firms: trade, construction,
// transport and food service dominate). Divisions not listed weigh 0.3.
func divisionWeights() map[string]float64 {
	return map[string]float64{
		"47": 18, "46": 10, "56": 7, "49": 6, "43": 6, "41": 5, "45": 4, "96": 4,
		"68": 3, "69": 2, "71": 2, "10": 2, "25": 2, "01": 2, "62": 1.5, "14": 1.5,
		"55": 1.5, "86": 1.5, "70": 1.5, "13": 1, "85": 1, "73": 1, "74": 1, "82": 1,
		"81": 1, "95": 1, "22": 0.8, "28": 0.8, "31": 0.8, "33": 0.6, "16": 0.6,
		"23": 0.6, "18": 0.5, "32": 0.5, "29": 0.4, "27": 0.4, "20": 0.4, "24": 0.3,
	}
}

// sectorWord names a division in synthetic firm names.
func sectorWord(div string) string {
	switch div {
	case "01", "02", "03":
		return "Tarım"
	case "10", "11":
		return "Gıda"
	case "13":
		return "Tekstil"
	case "14":
		return "Konfeksiyon"
	case "20", "21":
		return "Kimya"
	case "22":
		return "Plastik"
	case "23":
		return "Seramik"
	case "24", "25":
		return "Metal"
	case "26", "27":
		return "Elektrik"
	case "28":
		return "Makine"
	case "29", "30":
		return "Otomotiv"
	case "31":
		return "Mobilya"
	case "41", "42", "43":
		return "İnşaat"
	case "49", "50", "51", "52", "53":
		return "Lojistik"
	case "55":
		return "Turizm"
	case "56":
		return "Restoran"
	case "58", "59", "60", "61", "62", "63":
		return "Bilişim"
	}
	return "Ticaret"
}

package nace_test

import (
	"fmt"

	"github.com/kume-geo/kume/nace"
)

func Example() {
	tx, err := nace.New()
	if err != nil {
		panic(err)
	}
	code, _ := tx.Normalize("1320")
	s, _ := tx.Lookup(code)
	fmt.Println(s.Code, s.NameEN, "/", s.NameTR)
	fmt.Println(tx.Ancestors(code))
	fmt.Println(tx.Section("132014"))
	fmt.Println(tx.Prefixes("B"))
	// Output:
	// 13.20 Weaving of textiles / Dokuma
	// [13.20 13.2 13 C]
	// C
	// [05 06 07 08 09]
}

func ExampleFold() {
	fmt.Println(nace.Fold("İSTANBUL"), nace.Fold("ıstanbul"), nace.Fold("Kâğıthane / Şişli"))
	// Output: istanbul istanbul kagithane sisli
}

func ExampleTaxonomy_Search() {
	tx, err := nace.New()
	if err != nil {
		panic(err)
	}
	for _, s := range tx.Search("TEKSTİL", nace.Division, 3) {
		fmt.Println(s.Code, s.NameTR)
	}
	// Output: 13 Tekstil ürünlerinin imalatı
}

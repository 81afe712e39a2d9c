// Command gen merges the Eurostat NACE Rev. 2 list with the Turkish names of
// Türkiye's official activity list into the table that package nace embeds.
//
// Usage:
//
//	go run ./internal/gen -en EN.csv -tr TR.json -o data/nace.tsv
//
// It prints what it could not match to standard error.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
)

func main() {
	en := flag.String("en", "internal/gen/testdata/nace-rev2-en.csv", "Eurostat NACE Rev. 2 CSV")
	tr := flag.String("tr", "internal/gen/testdata/nace-rev2-tr.json", "Turkish activity list JSON")
	out := flag.String("o", "data/nace.tsv", "output TSV")
	flag.Parse()
	if err := run(*en, *tr, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(enPath, trPath, outPath string) error {
	rows, nationals, rep, err := Load(enPath, trPath)
	if err != nil {
		return err
	}
	f, err := os.Create(outPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := WriteTSV(w, rows, nationals); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %d NACE items, %d national codes; unmatched %v, orphans %v, missing Turkish names %v\n",
		len(rows), len(nationals), rep.Unmatched, rep.Orphans, rep.MissingTR)
	return nil
}

// Load reads and merges both sources.
func Load(enPath, trPath string) ([]Row, []National, Report, error) {
	ef, err := os.Open(enPath)
	if err != nil {
		return nil, nil, Report{}, err
	}
	defer ef.Close()
	rows, err := ReadEurostat(ef)
	if err != nil {
		return nil, nil, Report{}, err
	}
	tf, err := os.Open(trPath)
	if err != nil {
		return nil, nil, Report{}, err
	}
	defer tf.Close()
	tr, err := ReadTurkish(tf)
	if err != nil {
		return nil, nil, Report{}, err
	}
	return Merge(rows, tr)
}

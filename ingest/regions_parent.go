package ingest

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kume-geo/kume"
)

// CodeKey is the form in which region codes are compared: trimmed, in upper
// case, and a code of digits only without its leading zeros, so that a
// district file's parent "6" finds the province "06" (and "006" or " 06 ").
// A code of zeros only is "0".
func CodeKey(code string) string {
	s := strings.ToUpper(strings.TrimSpace(code))
	if s != "" && strings.Trim(s, "0123456789") == "" {
		s = strings.TrimLeft(s, "0")
		if s == "" {
			s = "0"
		}
	}
	return s
}

// Orphan is a region whose parent code matches no region of the parent
// level.
type Orphan struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
}

// RegionReport says what ImportRegions stored and what it could not link.
type RegionReport struct {
	Stored int    `json:"stored"`
	Level  string `json:"level"`
	// ParentLevel is the level in which parents were looked up ("" when the
	// regions have no parent codes).
	ParentLevel string `json:"parent_level,omitempty"`
	// Normalised counts the parent codes written otherwise than the parent's
	// own code ("6" for "06") and stored as the parent's code.
	Normalised int `json:"normalised"`
	// Orphans lists every region whose parent was not found; they are
	// stored with the parent code as given.
	Orphans []Orphan `json:"orphans"`
}

// WriteText writes the report for a person, every orphan on its own line.
func (r RegionReport) WriteText(w io.Writer, where string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s regions stored in the %s\n", r.Stored, r.Level, where)
	if r.ParentLevel != "" {
		fmt.Fprintf(&b, "parents looked up among the %s regions: %d found, %d of them written otherwise (as 6 for 06) and stored as the parent's code\n",
			r.ParentLevel, r.Stored-len(r.Orphans), r.Normalised)
	}
	if len(r.Orphans) > 0 {
		fmt.Fprintf(&b, "%d of %d %s regions have a parent code that no %s region has:\n", len(r.Orphans), r.Stored, r.Level, orDefault(r.ParentLevel, "parent"))
		for _, o := range r.Orphans {
			fmt.Fprintf(&b, "  %s %q: parent %q not found\n", o.Code, o.Name, o.Parent)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// linkParents finds each region's parent among the stored regions of the
// parent level (opts.ParentLevel, or else the other stored level that holds
// most of the parent codes), rewrites a parent code written otherwise to the
// parent's own code and reports the regions whose parent is not found.
func linkParents(ctx context.Context, st kume.RegionStore, regions []kume.Region, opts RegionOptions) (RegionReport, error) {
	rep := RegionReport{Stored: len(regions), Level: opts.Level, Orphans: []Orphan{}}
	has := false
	for i := range regions {
		if regions[i].Parent != "" {
			has = true
			break
		}
	}
	if !has {
		return rep, nil
	}
	stored, err := st.Regions(ctx, kume.RegionFilter{Level: opts.ParentLevel})
	if err != nil {
		return rep, fmt.Errorf("ingest: loading the parent regions: %w", err)
	}
	// By level: code key -> the stored code.
	byLevel := map[string]map[string]string{}
	for _, r := range stored {
		if r.Level == opts.Level {
			continue
		}
		if byLevel[r.Level] == nil {
			byLevel[r.Level] = map[string]string{}
		}
		byLevel[r.Level][CodeKey(r.Code)] = r.Code
	}
	rep.ParentLevel = opts.ParentLevel
	if rep.ParentLevel == "" {
		rep.ParentLevel = busiestParentLevel(regions, byLevel)
	}
	codes := byLevel[rep.ParentLevel]
	for i := range regions {
		r := &regions[i]
		if r.Parent == "" {
			continue
		}
		code, ok := codes[CodeKey(r.Parent)]
		if !ok {
			rep.Orphans = append(rep.Orphans, Orphan{Code: r.Code, Name: r.Name, Parent: r.Parent})
			continue
		}
		if code != r.Parent {
			rep.Normalised++
			r.Parent = code
		}
	}
	return rep, nil
}

// busiestParentLevel returns the level whose codes match most of the
// regions' parent codes (ties: the first by name); "" when none matches.
func busiestParentLevel(regions []kume.Region, byLevel map[string]map[string]string) string {
	levels := make([]string, 0, len(byLevel))
	for lv := range byLevel {
		levels = append(levels, lv)
	}
	sort.Strings(levels)
	best, bestN := "", 0
	for _, lv := range levels {
		n := 0
		for i := range regions {
			if _, ok := byLevel[lv][CodeKey(regions[i].Parent)]; ok && regions[i].Parent != "" {
				n++
			}
		}
		if n > bestN {
			best, bestN = lv, n
		}
	}
	return best
}

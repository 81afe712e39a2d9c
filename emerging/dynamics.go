package emerging

import (
	"fmt"
	"strings"

	"github.com/kume-geo/kume/geo"
)

// Group is a coarse reading of the categories, what a cluster profile says
// of its cells.
type Group string

// Groups of categories.
const (
	// GroupEmerging: new, consecutive and intensifying hot spots, whose
	// concentration is new or growing at the final step.
	GroupEmerging Group = "emerging"
	// GroupPersistent: persistent hot spots, hot at 90% of the steps with no
	// significant trend.
	GroupPersistent Group = "persistent"
	// GroupDiminishing: diminishing hot spots (hot, falling) and historical
	// ones (hot at 90% of the steps, not at the final one).
	GroupDiminishing Group = "diminishing"
	// GroupIntermittent: sporadic and oscillating hot spots.
	GroupIntermittent Group = "intermittent"
	// GroupCold: any cold spot.
	GroupCold Group = "cold"
	// GroupNone: no pattern.
	GroupNone Group = "none"
)

// Groups lists the groups in the order a summary names them.
func Groups() []Group {
	return []Group{GroupEmerging, GroupPersistent, GroupDiminishing, GroupIntermittent, GroupCold, GroupNone}
}

// GroupOf returns the group of a category.
func GroupOf(c geo.Category) Group {
	switch {
	case c.Emerging():
		return GroupEmerging
	case c == geo.PersistentHotSpot:
		return GroupPersistent
	case c == geo.DiminishingHotSpot || c == geo.HistoricalHotSpot:
		return GroupDiminishing
	case c == geo.SporadicHotSpot || c == geo.OscillatingHotSpot:
		return GroupIntermittent
	case c.Code() < 0:
		return GroupCold
	}
	return GroupNone
}

// Text is a sentence in English and Turkish.
type Text struct {
	EN string `json:"en"`
	TR string `json:"tr"`
}

// groupWords are the words of a group in a summary, singular and plural in
// English, one form in Turkish (after a number).
var groupWords = map[Group][3]string{
	GroupEmerging:     {"emerging hot spot (new, consecutive or intensifying)", "emerging hot spots (new, consecutive or intensifying)", "yükselen sıcak nokta (yeni, ardışık ya da yoğunlaşan)"},
	GroupPersistent:   {"persistent hot spot", "persistent hot spots", "kalıcı sıcak nokta"},
	GroupDiminishing:  {"diminishing or historical hot spot", "diminishing or historical hot spots", "azalan ya da geçmiş sıcak nokta"},
	GroupIntermittent: {"sporadic or oscillating hot spot", "sporadic or oscillating hot spots", "düzensiz ya da salınan sıcak nokta"},
	GroupCold:         {"cold spot", "cold spots", "soğuk nokta"},
	GroupNone:         {"without a pattern", "without a pattern", "örüntüsüz"},
}

var stepWords = map[geo.Step][2]string{
	geo.StepYear: {"yearly", "yıllık"}, geo.StepQuarter: {"quarterly", "üç aylık"}, geo.StepMonth: {"monthly", "aylık"},
}

// Dynamics is what an answer says of a set of cells, such as a cluster's
// footprint: how many are emerging, persistent, diminishing … hot spots, a
// one-line summary in both languages and what the data lacks.
type Dynamics struct {
	// Cells is the number of cells asked about.
	Cells int `json:"cells"`
	// Categories and Groups count the cells per category and group (a cell
	// that is no feature of the answer has no pattern).
	Categories map[string]int `json:"categories"`
	Groups     map[Group]int  `json:"groups"`
	// Dominant is the hot group holding the most cells (ties: the earlier
	// in Groups), or GroupNone when no cell is a hot spot.
	Dominant Group `json:"dominant"`
	// Summary says it in one line.
	Summary Text `json:"summary"`
	// Lacks says what the firms' dates do not allow (none: nothing to say).
	Lacks []Text `json:"lacks"`
}

// Dynamics counts the categories of the given cells (of the answer's
// resolution) and says what they are.
func (a *Answer) Dynamics(cells []uint64) Dynamics {
	d := Dynamics{Cells: len(cells), Categories: map[string]int{}, Groups: map[Group]int{}, Dominant: GroupNone, Lacks: a.Lacks()}
	for _, cell := range cells {
		cat := geo.NoPattern
		if c, ok := a.Cell(cell); ok {
			cat = geo.Category(c.Category)
		}
		d.Categories[string(cat)]++
		d.Groups[GroupOf(cat)]++
	}
	best := 0
	for _, g := range Groups()[:4] {
		if n := d.Groups[g]; n > best {
			d.Dominant, best = g, n
		}
	}
	var en, tr []string
	for _, g := range Groups() {
		n := d.Groups[g]
		if n == 0 {
			continue
		}
		w := groupWords[g]
		if n == 1 {
			en = append(en, fmt.Sprintf("1 %s", w[0]))
		} else {
			en = append(en, fmt.Sprintf("%d %s", n, w[1]))
		}
		tr = append(tr, fmt.Sprintf("%d %s", n, w[2]))
	}
	steps := a.Steps()
	span := steps[0].Label + "–" + steps[len(steps)-1].Label
	sw := stepWords[a.Result.Params.Steps.Step]
	cellsEN := "cells"
	if len(cells) == 1 {
		cellsEN = "cell"
	}
	d.Summary = Text{
		EN: fmt.Sprintf("%d %s (H3 resolution %d): %s; %s, %s steps.", len(cells), cellsEN, a.Result.Res, strings.Join(en, ", "), span, sw[0]),
		TR: fmt.Sprintf("%d hücre (H3 çözünürlüğü %d): %s; %s, %s adımlar.", len(cells), a.Result.Res, strings.Join(tr, ", "), span, sw[1]),
	}
	return d
}

// Lacks says what the firms' dates do not allow: a pattern where many firms
// have no founding date (they count from the first step, or not at all), or
// where the closing dates cover only part of the span, shows less than it
// seems to.
func (a *Answer) Lacks() []Text {
	out := []Text{}
	f := a.Firms
	if f.Matched > 0 && float64(f.Undated) > geo.MaxUndatedShare*float64(f.Matched) {
		rule := Text{EN: "they count as present from the first step, so the pattern shows their closures only",
			TR: "ilk adımdan itibaren var sayıldılar; örüntü yalnızca kapanışlarını gösteriyor"}
		if a.Result.Params.Undated == geo.UndatedOmit {
			rule = Text{EN: "they are left out", TR: "hesaba katılmadılar"}
		}
		all := Text{EN: fmt.Sprintf("%d of %d", f.Undated, f.Matched), TR: fmt.Sprintf("%d firmanın %d tanesinin", f.Matched, f.Undated)}
		if f.Undated == f.Matched {
			all = Text{EN: fmt.Sprintf("all %d", f.Matched), TR: fmt.Sprintf("%d firmanın hiçbirinin", f.Matched)}
		}
		out = append(out, Text{
			EN: fmt.Sprintf("Founding dates are unknown for %s firms: %s.", all.EN, rule.EN),
			TR: fmt.Sprintf("%s kuruluş tarihi bilinmiyor: %s.", all.TR, rule.TR),
		})
	}
	steps := a.Steps()
	if c := a.Dates.Closed; c.Count > 0 && c.First > steps[0].End {
		out = append(out, Text{
			EN: fmt.Sprintf("Closing dates run only from %s to %s: firms that closed before are not in the data, so the earlier steps miss them.", c.First, c.Last),
			TR: fmt.Sprintf("Kapanış tarihleri yalnızca %s – %s arasını kapsıyor: bu tarihten önce kapanan firmalar veride yok, önceki adımlarda eksikler.", c.First, c.Last),
		})
	}
	return out
}

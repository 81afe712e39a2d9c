package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
)

// scopeSlot is the current analysis of one scope (kume.AnalysisScope): its run as
// the MANIFEST records it (scope, datasets read and left out), the analysis
// itself, in memory or in the file lazy reads on first use, and the analysis
// it replaced, kept in memory only (not on disk) so that readers such as the
// tile cache can compare the two. A published slot is never modified.
type scopeSlot struct {
	run      kume.AnalysisRun
	a        *analysis // nil while lazy holds it
	lazy     *lazyAnalysis
	previous *analysis
	file     string // its data file ("" when not persisted)
}

// get returns the slot's analysis, decoding it from its file on the first
// call after Open.
func (sl *scopeSlot) get() (*analysis, error) {
	if sl.lazy != nil {
		return sl.lazy.get()
	}
	return sl.a, nil
}

// loaded returns the slot's analysis if it is in memory, nil otherwise
// (never reading it itself).
func (sl *scopeSlot) loaded() *analysis {
	if sl.lazy != nil {
		return sl.lazy.loaded()
	}
	return sl.a
}

// slot returns the slot of a scope, nil when it has none.
func (st *state) slot(scope kume.AnalysisScope) *scopeSlot {
	scope = scope.Norm()
	i, ok := slices.BinarySearchFunc(st.analyses, scope, func(sl *scopeSlot, s kume.AnalysisScope) int {
		return strings.Compare(string(sl.run.Scope), string(s))
	})
	if !ok {
		return nil
	}
	return st.analyses[i]
}

// putSlot makes sl the slot of its scope in next (a state being written).
func (st *state) putSlot(sl *scopeSlot) {
	i, ok := slices.BinarySearchFunc(st.analyses, sl.run.Scope, func(x *scopeSlot, s kume.AnalysisScope) int {
		return strings.Compare(string(x.run.Scope), string(s))
	})
	if ok {
		st.analyses = slices.Clone(st.analyses)
		st.analyses[i] = sl
		return
	}
	st.analyses = slices.Insert(slices.Clip(st.analyses), i, sl)
}

// dropSlots removes the slots for which drop holds from next (a state being
// written) and returns their data files.
func (st *state) dropSlots(drop func(*scopeSlot) bool) []string {
	var files []string
	kept := make([]*scopeSlot, 0, len(st.analyses))
	for _, sl := range st.analyses {
		if !drop(sl) {
			kept = append(kept, sl)
		} else if sl.file != "" {
			files = append(files, sl.file)
		}
	}
	if len(kept) < len(st.analyses) {
		st.analyses = kept
	}
	return files
}

// replaceAnalysis makes a (or, when a is nil, the one lazy holds) the
// current analysis of run's scope, with run as its record. The analysis it
// replaces stays readable as the previous one if it is in memory. An
// analysis nobody has read since Open is not kept: its file goes with this
// commit, and decoding it now only to keep it would cost what lazy loading
// saves. The new slot takes the old one's file name, for persist to drop.
func (st *state) replaceAnalysis(run kume.AnalysisRun, a *analysis, lazy *lazyAnalysis) *scopeSlot {
	sl := &scopeSlot{run: cloneRun(run), a: a, lazy: lazy}
	if old := st.slot(run.Scope); old != nil {
		sl.previous, sl.file = old.loaded(), old.file
	}
	st.putSlot(sl)
	return sl
}

// cloneRun deep-copies a run, its scope normalised.
func cloneRun(r kume.AnalysisRun) kume.AnalysisRun {
	r.Scope = r.Scope.Norm()
	r.Params = cloneRaw(r.Params)
	r.Datasets = slices.Clone(r.Datasets)
	r.Omitted = slices.Clone(r.Omitted)
	r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), r.FinishedAt.UTC()
	return r
}

// checkRun validates the run of an analysis to be saved.
func checkRun(r *kume.AnalysisRun) error {
	if err := r.Scope.Check(); err != nil {
		return err
	}
	if len(r.Params) > 0 && !json.Valid(r.Params) {
		return kume.Errorf(kume.EINVALID, "analysis parameters are not JSON")
	}
	return nil
}

// current returns the analysis a filter asks for: version 0 is the public
// analysis, nil before it; another version is the current or previous
// analysis of a scope, ENOTFOUND when none is kept (nil without an error in
// a store that has no analysis at all).
func (st *state) current(version int64) (*analysis, error) {
	if version == 0 {
		if sl := st.slot(kume.AnalysisPublic); sl != nil {
			return sl.get()
		}
		return nil, nil
	}
	for _, sl := range st.analyses {
		if sl.run.Version == version {
			return sl.get()
		}
		if p := sl.previous; p != nil && p.run.Version == version {
			return p, nil
		}
	}
	if len(st.analyses) == 0 {
		return nil, nil
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "analysis version %d is not kept", version)
}

// LatestAnalysis returns the current run of the public analysis (ENOTFOUND
// before the first).
func (s *Store) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	sl := s.snapshot().slot(kume.AnalysisPublic)
	if sl == nil {
		return nil, kume.Errorf(kume.ENOTFOUND, "no analysis has run yet")
	}
	run := cloneRun(sl.run)
	return &run, nil
}

// Analyses returns the current run of every scope, the newest first.
func (s *Store) Analyses(ctx context.Context) ([]kume.AnalysisRun, error) {
	st := s.snapshot()
	out := make([]kume.AnalysisRun, len(st.analyses))
	for i, sl := range st.analyses {
		out[i] = cloneRun(sl.run)
	}
	slices.SortFunc(out, func(a, b kume.AnalysisRun) int { return cmp.Compare(b.Version, a.Version) })
	return out, nil
}

// DeleteAnalysis removes the analysis of a scope, and its file (ENOTFOUND
// when the scope has none).
func (s *Store) DeleteAnalysis(ctx context.Context, scope kume.AnalysisScope) error {
	scope = scope.Norm()
	return s.write(ctx, func(next *state) (change, error) {
		if next.slot(scope) == nil {
			return change{}, kume.Errorf(kume.ENOTFOUND, "no analysis of scope %q", scope)
		}
		files := next.dropSlots(func(sl *scopeSlot) bool { return sl.run.Scope == scope })
		return change{drop: files}, nil
	})
}

// openAnalyses opens the analysis file of every slot of a state just read
// from the MANIFEST in dir. The header of each is checked now, the checksum
// when it is first read and decoded (see lazyAnalysis). A MANIFEST of format
// version 1 named one analysis without its run: it is the public analysis,
// and its run is read from its file now.
func (st *state) openAnalyses(dir string) error {
	for _, sl := range st.analyses {
		l, err := openLazyAnalysis(filepath.Join(dir, sl.file))
		if err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		sl.lazy = l
		if sl.run.Version == 0 {
			a, err := l.get()
			if err != nil {
				return err
			}
			sl.run = cloneRun(a.run)
		}
	}
	return nil
}

package layer

import (
	"context"
	"fmt"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/valuechain"
)

// MatchNothing is a NACE prefix no establishment has: a filter made of it
// alone selects nothing (a value chain without codes).
const MatchNothing = "-"

// chainPrefix starts the sector key of a value chain.
const chainPrefix = "vc:"

// ChainStore reads the value chains an administrator saved; kume.Store is one.
type ChainStore interface {
	ValueChains(ctx context.Context) ([]kume.ValueChain, error)
}

// Sectors parses sector keys and expands them into the NACE prefixes of the
// establishments they cover. A sector key is what an aggregate counts and what
// the "sector" parameter of every route, tile and command names:
//
//   - "" (kume.SectorAll): all firms;
//   - a NACE Rev. 2 code in its normalised form at any level, known to the
//     taxonomy: a section letter ("C"), a division ("13"), a group ("13.2")
//     or a class ("13.20");
//   - "vc:<id>" for a value chain, the id 1 to 64 characters of a-z, 0-9, _
//     and -.
//
// Sectors is safe for concurrent use.
type Sectors struct {
	tax     *nace.Taxonomy
	store   ChainStore
	shipped []kume.ValueChain
}

// NewSectors returns the sector keys of the NACE taxonomy tax (nil: the
// shipped one) with the value chains in force in st (nil: the shipped ones).
func NewSectors(tax *nace.Taxonomy, st ChainStore) (*Sectors, error) {
	if tax == nil {
		var err error
		if tax, err = nace.New(); err != nil {
			return nil, fmt.Errorf("layer: %w", err)
		}
	}
	shipped, err := valuechain.Default()
	if err != nil {
		return nil, fmt.Errorf("layer: shipped value chains: %w", err)
	}
	return &Sectors{tax: tax, store: st, shipped: shipped}, nil
}

// errSector is the error of every malformed or unknown sector key. Like every
// message of this package it does not repeat the input.
func errSector() error {
	return kume.Errorf(kume.EINVALID, `parameter "sector": not a NACE code (C, 13, 13.2, 13.20) or vc:<value chain>`)
}

// Parse checks a sector key and returns it. Everything but the keys listed on
// Sectors is EINVALID with one message, whatever the route or command: a
// section outside A–U, a code in a register's raw form ("1320", "c"), a code
// the taxonomy does not hold ("00"), a malformed chain id. Whether a chain
// exists is checked by Prefixes, which reads the chains in force.
func (s *Sectors) Parse(v string) (string, error) {
	if v == kume.SectorAll {
		return v, nil
	}
	if id, ok := strings.CutPrefix(v, chainPrefix); ok {
		if !validChainID(id) {
			return "", errSector()
		}
		return v, nil
	}
	if !codeSyntax(v) {
		return "", errSector()
	}
	if sec, ok := s.tax.Lookup(v); !ok || sec.Code != v {
		return "", errSector()
	}
	return v, nil
}

// validChainID reports whether id is 1 to 64 characters of a-z, 0-9, _ and -.
func validChainID(id string) bool {
	if id == "" || len(id) > valuechain.MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// codeSyntax reports whether v has the shape of a normalised NACE code: an
// upper-case letter, or two digits followed by a dot and one or two digits.
func codeSyntax(v string) bool {
	digit := func(i int) bool { return v[i] >= '0' && v[i] <= '9' }
	switch len(v) {
	case 1:
		return v[0] >= 'A' && v[0] <= 'Z'
	case 2:
		return digit(0) && digit(1)
	case 4, 5:
		return digit(0) && digit(1) && v[2] == '.' && digit(3) && (len(v) == 4 || digit(4))
	}
	return false
}

// IsChain reports whether a (parsed) sector key names a value chain.
func IsChain(key string) bool { return strings.HasPrefix(key, chainPrefix) }

// ChainsInForce returns the value chains that sector keys, the analysis and the
// value-chain list use: the chains saved in the store, or the shipped ones
// when none are saved.
func (s *Sectors) ChainsInForce(ctx context.Context) ([]kume.ValueChain, error) {
	var chains []kume.ValueChain
	if s.store != nil {
		var err error
		if chains, err = s.store.ValueChains(ctx); err != nil {
			return nil, fmt.Errorf("value chains: %w", err)
		}
	}
	if len(chains) == 0 {
		chains = append([]kume.ValueChain(nil), s.shipped...)
	}
	return chains, nil
}

// Prefixes expands a parsed sector key into the NACE prefixes of an
// establishment filter: nil (no restriction) for all firms, a section's
// divisions ("C" → "10" … "33"), a value chain's codes of every role (the
// chains in force; MatchNothing when it has none), any other code itself. A
// chain that is not in force is EINVALID.
func (s *Sectors) Prefixes(ctx context.Context, key string) ([]string, error) {
	id, isChain := strings.CutPrefix(key, chainPrefix)
	switch {
	case key == kume.SectorAll:
		return nil, nil
	case !isChain:
		if p := s.tax.Prefixes(key); p != nil {
			return p, nil
		}
		return nil, errSector()
	}
	chains, err := s.ChainsInForce(ctx)
	if err != nil {
		return nil, err
	}
	for _, vc := range chains {
		if vc.ID != id {
			continue
		}
		var out []string
		for _, role := range kume.Roles() {
			for _, code := range vc.Roles[role] {
				out = append(out, s.tax.Prefixes(code)...)
			}
		}
		if len(out) == 0 {
			return []string{MatchNothing}, nil
		}
		return out, nil
	}
	return nil, kume.Errorf(kume.EINVALID, `parameter "sector": no such value chain`)
}

// ClusterKeys returns the sector keys whose clusters a layer or list of
// clusters shows for a parsed sector key: nil (every key) for all firms; the
// chain itself for a value chain; for a NACE code, its own clusters, those of
// the divisions it covers or lies in (a class shows inside its division's
// cluster) and those of the value chains in force whose core roles it
// covers or lies in ("62" finds the ICT chain's clusters, whose composition
// holds it). A cluster is one value chain and place; its divisions and
// classes are its composition, not clusters of their own.
func (s *Sectors) ClusterKeys(ctx context.Context, key string) ([]string, error) {
	if key == kume.SectorAll || IsChain(key) {
		return ClusterSectors(key), nil
	}
	mine := s.tax.Prefixes(key)
	if mine == nil {
		return nil, errSector()
	}
	related := func(codes ...string) bool {
		for _, c := range codes {
			for _, p := range s.tax.Prefixes(c) {
				for _, m := range mine {
					if strings.HasPrefix(p, m) || strings.HasPrefix(m, p) {
						return true
					}
				}
			}
		}
		return false
	}
	out := []string{key}
	for _, d := range s.tax.All(nace.Division) {
		if d.Code != key && related(d.Code) {
			out = append(out, d.Code)
		}
	}
	chains, err := s.ChainsInForce(ctx)
	if err != nil {
		return nil, err
	}
	for _, vc := range chains {
		if related(vc.Roles[kume.RoleCore]...) {
			out = append(out, chainPrefix+vc.ID)
		}
	}
	return out, nil
}

package kume

import (
	"time"
)

// Kind tells a firm from a supporting institution.
type Kind string

// The two kinds of establishment.
const (
	KindFirm        Kind = "firm"
	KindInstitution Kind = "institution"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindFirm || k == KindInstitution }

// InstitutionType classifies a supporting institution. Site types (OSB,
// technopark, incubator, free zone) are elements of a cluster, never a cluster by
// themselves.
type InstitutionType string

// Institution types. The list follows the actors named in cluster policy texts
// (universities, vocational schools, agencies, chambers, banks, packaging
// producers, ...) and the site types that may be cluster members.
const (
	University        InstitutionType = "university"
	VocationalSchool  InstitutionType = "vocational_school"
	ResearchInstitute InstitutionType = "research_institute"
	ThinkTank         InstitutionType = "think_tank"
	PublicAgency      InstitutionType = "public_agency"
	DevelopmentAgency InstitutionType = "development_agency"
	Chamber           InstitutionType = "chamber"
	Bank              InstitutionType = "bank"
	PackagingProducer InstitutionType = "packaging_producer"
	LogisticsProvider InstitutionType = "logistics_provider"
	OSB               InstitutionType = "osb"
	Technopark        InstitutionType = "technopark"
	Incubator         InstitutionType = "incubator"
	FreeZone          InstitutionType = "free_zone"
	Cooperative       InstitutionType = "cooperative"
	SectorAssociation InstitutionType = "sector_association"
	BusinessNetwork   InstitutionType = "business_network"
	OtherInstitution  InstitutionType = "other"
)

// InstitutionTypes lists every institution type in a stable order.
func InstitutionTypes() []InstitutionType {
	return []InstitutionType{University, VocationalSchool, ResearchInstitute, ThinkTank,
		PublicAgency, DevelopmentAgency, Chamber, Bank, PackagingProducer, LogisticsProvider,
		OSB, Technopark, Incubator, FreeZone, Cooperative, SectorAssociation, BusinessNetwork,
		OtherInstitution}
}

// Valid reports whether t is a known institution type.
func (t InstitutionType) Valid() bool {
	for _, v := range InstitutionTypes() {
		if t == v {
			return true
		}
	}
	return false
}

// IsSite reports whether t is a site (an estate, zone, park or incubator) rather
// than an actor. A site can be an element of a cluster but never a cluster itself.
func (t InstitutionType) IsSite() bool {
	switch t {
	case OSB, Technopark, Incubator, FreeZone:
		return true
	}
	return false
}

// Precision says how precisely an establishment was placed, finest first.
type Precision string

// Geocode precisions, from rooftop to country.
const (
	PrecisionAddress  Precision = "address"
	PrecisionStreet   Precision = "street"
	PrecisionPostcode Precision = "postcode"
	PrecisionDistrict Precision = "district"
	PrecisionProvince Precision = "province"
	PrecisionCountry  Precision = "country"
)

// Precisions lists every precision from finest to coarsest.
func Precisions() []Precision {
	return []Precision{PrecisionAddress, PrecisionStreet, PrecisionPostcode,
		PrecisionDistrict, PrecisionProvince, PrecisionCountry}
}

// Rank returns 0 for the finest precision and larger numbers for coarser ones;
// -1 for an unknown precision.
func (p Precision) Rank() int {
	for i, v := range Precisions() {
		if p == v {
			return i
		}
	}
	return -1
}

// Valid reports whether p is a known precision.
func (p Precision) Valid() bool { return p.Rank() >= 0 }

// Employees is a head count: exact (Low == High) or a band Low..High. A band with
// no upper bound (e.g. "1000+") has High == -1. The zero value with Known false
// means the count is unknown.
type Employees struct {
	Known bool `json:"known"`
	Low   int  `json:"low"`
	High  int  `json:"high"`
}

// ExactEmployees returns an exact head count.
func ExactEmployees(n int) Employees { return Employees{Known: true, Low: n, High: n} }

// EmployeeBand returns a band low..high (high -1 for open-ended).
func EmployeeBand(low, high int) Employees { return Employees{Known: true, Low: low, High: high} }

// Exact reports whether the count is an exact number rather than a band.
func (e Employees) Exact() bool { return e.Known && e.Low == e.High }

// Estimate returns the exact count, or a band's midpoint (an open band counts as
// 1.5 × its lower bound), and false when unknown.
func (e Employees) Estimate() (float64, bool) {
	switch {
	case !e.Known:
		return 0, false
	case e.High < 0:
		return 1.5 * float64(e.Low), true
	default:
		return float64(e.Low+e.High) / 2, true
	}
}

// Address holds the postal parts of an establishment's address.
type Address struct {
	Street   string `json:"street,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	District string `json:"district,omitempty"`
	Province string `json:"province,omitempty"`
	Country  string `json:"country,omitempty"`
}

// Establishment is a firm or a supporting institution at one place.
type Establishment struct {
	ID        int64  `json:"id"`         // store-assigned, stable across re-imports
	DatasetID int64  `json:"dataset_id"` // the dataset it belongs to
	SourceID  string `json:"source_id"`  // stable id, unique within its dataset
	Name      string `json:"name"`
	Kind      Kind   `json:"kind"`
	// Type is set for institutions only.
	Type InstitutionType `json:"type,omitempty"`
	// NACE is the normalised NACE Rev.2 code ("13.20", "13", ...); "" when unknown.
	NACE      string     `json:"nace,omitempty"`
	Employees Employees  `json:"employees"`
	Founded   *time.Time `json:"founded,omitempty"`
	Closed    *time.Time `json:"closed,omitempty"`
	Address   Address    `json:"address"`
	Lon       float64    `json:"lon"`
	Lat       float64    `json:"lat"`
	// Precision is how precisely Lon/Lat place the establishment.
	Precision Precision `json:"precision"`
	// GeocodeSource names where the coordinates came from ("source", "gazetteer", ...).
	GeocodeSource string `json:"geocode_source,omitempty"`
	// Cell is the H3 cell at BaseResolution containing the point (0 when not indexed).
	Cell  uint64            `json:"cell,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

// BaseResolution is the H3 resolution at which every establishment is indexed
// once; coarser cells are derived with CellToParent so parents always equal the
// sum of their children.
const BaseResolution = 9

// ActiveAt reports whether the establishment exists at t: founded (when known) on
// or before t and not closed on or before t.
func (e *Establishment) ActiveAt(t time.Time) bool {
	if e.Founded != nil && e.Founded.After(t) {
		return false
	}
	return e.Closed == nil || e.Closed.After(t)
}

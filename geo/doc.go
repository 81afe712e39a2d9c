// Package geo holds kume's analytics: pure functions, no I/O. Analyze turns
// establishments and regions into the cell statistics, cluster footprints and
// region statistics of one analysis run (kume.AnalysisResult).
//
// # Aggregation
//
// Every establishment is indexed once, at the finest requested resolution
// (Establishment.Cell is reused when it is at least that fine), and rolled up
// with CellParent (bit arithmetic identical to H3's cellToParent), so a
// parent's Firms+Imprecise equal the sum over its children at every
// resolution (Firms alone when no firm changes precision class between the
// two). H3 is not exactly nested: indexing a point directly at a coarser
// resolution can give a different cell than the parent of its fine cell.
//
// Sector keys: "" (all firms), every NACE ancestor of a firm's code (section,
// division, group, class, from Input.Ancestors) and "vc:<chain>" for each
// value chain (Input.ChainsOf). Per cell and key: active firms at the
// reference date, firms closed on or before it, employment (exact counts plus
// band midpoints; EmployeesEstimated is the midpoint part; unknown counts add
// nothing) and, on all-sector rows, institutions by type. Institutions never
// count as firms.
//
// # Geocode precision
//
// Params.MaxResByPrecision gives the finest resolution at which a firm of each
// precision counts (default: address 15, street 9, postcode 7, district 5,
// province 3, country never; an empty precision counts as address). At finer
// resolutions the firm is left out of Firms, employment, LQ and Gi* and counted
// in the cell's Imprecise instead, so a district centroid never becomes a hot
// spot at fine resolutions; Imprecise/(Firms+Imprecise) is the cell's share of
// imprecise firms. Region statistics use every firm.
//
// # Location quotients
//
// LQ = (e_ir/e_r)/(E_i/E). Convention "eco" (European Cluster Observatory):
// e_r and E are all-sector totals; "uscmp" (U.S. Cluster Mapping Project):
// traded-sector totals (Input.Traded). The benchmark is the whole dataset or a
// region ("level:code"). CellStat.LQ uses Params.LQMeasure (firms by default);
// RegionStat.LQ is on firm counts and LQEmployed on employment. At a
// resolution the totals are those of the firms counted there. Undefined → nil.
//
// # Getis-Ord Gi*
//
// Gi* (ArcGIS convention, binary weights, self included) of the active firm
// count, over StudyArea: the cells holding an active firm of the key at that
// resolution plus every cell within grid distance K, empty cells included;
// w_ij = 1 for j in the study area within grid distance K of i. Every study-
// area cell is a CellStat row with value (Firms), GiZ, GiP (two-sided normal)
// and GiBin (±3/±2/±1 at 99/95/90%; with FDR the cut-offs are the
// Benjamini–Hochberg thresholds at those levels; z and p stay raw). Gi* is
// computed for the sector levels in Params.GiLevels (default all, section,
// division, chain) at resolutions up to Params.GiMaxRes (default 8); other
// keys and finer resolutions get aggregates and LQ only. Zero variance, n < 2
// or a neighbourhood covering the whole study area give nil. GiStar computes
// the statistic over explicit binary weights.
//
// # Footprints
//
// A footprint is an edge-connected set of cells with bin ≥ MinBin (default 2)
// of one key and resolution holding at least MinFirms (20) active firms and
// MinCells cells; ID = ClusterID (hash of key, resolution and sorted cells).
// Geometry is the union of the cells (CellsPolygon: exterior CCW, holes CW).
// LQ uses LQMeasure; Share is of the key's firms at that resolution;
// institutions are counted inside (their cell is in the footprint) and near
// (within InstitutionKm plus one edge length of a cell centre); chains report
// roles present and missing (against Input.Chains, or the roles seen in the
// data) and completeness. Stars compare footprints of the same key and
// resolution. A site (OSB, technopark, incubator, free zone) is counted as an
// institution and never forms a footprint.
//
// # Regions, stars, strong clusters, ranking, profiles, disclosure
//
// Regions are matched by polygon or, for levels in Params.RegionAttrs, by an
// establishment attribute. Stars follows the European Cluster Observatory
// (size and focus in the top 10%, LQ ≥ 2), Strong the U.S. CMP rule. Rank
// scores units by weighted percentile ranks of named components. BuildProfile
// derives strengths and weaknesses in Turkish and English. Suppressed marks
// aggregates with fewer than DisclosureK firms or one firm above
// DominanceShare of the exactly counted employment.
package geo

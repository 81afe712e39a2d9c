// Package geo holds kume's analytics: pure functions, no I/O. Analyze turns
// establishments and regions into the cell statistics, clusters and region
// statistics of one analysis run (kume.AnalysisResult); AnalyzeTo hands the
// cell statistics to a CellSink batch by batch instead of holding them all.
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
// # Clusters
//
// A cluster is the firms of one value chain (tested on its core roles) or of
// one traded NACE division significantly over-represented in one place
// (docs/METHODS.md, "Clusters"). Per key and resolution (ClusterResolutions),
// every cell with firms gets the one-sided binomial p-value of its count of
// the tested activity against the benchmark's share (BinomialSF); the cells at
// or below the Benjamini–Hochberg threshold at ClusterFDR, joined by edges,
// are candidates when they hold at least MinFirms firms of the activity at an
// LQ (observed / expected) of at least MinLQ, also without the firms at
// shared addresses, in at least MinCells cells, and are not a mixed
// concentration (MinDominance, mixed.go). Of the candidates of one key that
// overlap across resolutions the one with the highest Poisson log-likelihood
// ratio (Kulldorff's criterion) is kept, and a division's cluster that
// overlaps a chain's testing a code of it, or whose firms are mostly the
// chain's, is absorbed into it (selectClusters). ID = ClusterID (hash
// of key, resolution and sorted cells); Geometry is the union of the cells
// (CellsPolygon: exterior CCW, holes CW). Institutions are counted inside
// (their cell is in the footprint) and near (within InstitutionKm plus one
// edge length of a cell centre); chains report roles present and missing and
// completeness; the ecosystem says which kinds of supporting actor are within
// reach; the composition lists the NACE codes present. A site (OSB,
// technopark, incubator, free zone) is counted as an institution and never
// forms a cluster.
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

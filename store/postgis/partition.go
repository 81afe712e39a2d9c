package postgis

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Every dataset's establishments live in one partition of the table
// establishments (migration 00003), named establishments_<dataset id>. A bulk
// import builds the next version of that partition as a plain table named
// establishments_<dataset id>_next inside the import transaction: the rows are
// copied in without indexes, the indexes are built afterwards in one sorted pass
// each, and just before the commit the table replaces the current partition.
// A rollback or a crash leaves nothing behind, since all of it is transactional.

// partitionName returns the name of dataset id's partition.
func partitionName(datasetID int64) string {
	return "establishments_" + strconv.FormatInt(datasetID, 10)
}

// nextPartitionName returns the name of the table an import builds as the next
// version of dataset id's partition. Imports into one dataset run one after the
// other, so one name suffices.
func nextPartitionName(datasetID int64) string {
	return partitionName(datasetID) + "_next"
}

// partitionSQL returns the statement tmpl (an embedded file of queries/) with
// its placeholders filled in for dataset id:
//
//	{{dataset}}                the dataset id as an integer literal (DDL takes no parameters)
//	{{partition}}              the dataset's partition
//	{{partition_name}}         the same, as the target of a RENAME
//	{{partition_<index>}}      the partition's indexes (id_idx, source_key, band_idx)
//	{{next}}, {{next_<index>}} the next version of the partition and its indexes
//
// Identifiers are quoted with pgx.Identifier.Sanitize.
func partitionSQL(tmpl string, datasetID int64) string {
	cur, next := partitionName(datasetID), nextPartitionName(datasetID)
	ident := func(name string) string { return pgx.Identifier{name}.Sanitize() }
	pairs := []string{
		"{{dataset}}", strconv.FormatInt(datasetID, 10),
		"{{partition}}", ident(cur),
		"{{partition_name}}", ident(cur),
		"{{next}}", ident(next),
	}
	for _, idx := range []string{"id_idx", "source_key", "band_idx"} {
		pairs = append(pairs,
			"{{partition_"+idx+"}}", ident(cur+"_"+idx),
			"{{next_"+idx+"}}", ident(next+"_"+idx))
	}
	sql := strings.NewReplacer(pairs...).Replace(tmpl)
	if strings.Contains(sql, "{{") {
		panic(fmt.Sprintf("postgis: a partition statement has an unknown placeholder: %.60q", tmpl))
	}
	return sql
}

// execPartition runs the partition statement tmpl for the dataset in tx.
func (s *Store) execPartition(ctx context.Context, tx pgx.Tx, tmpl string, datasetID int64, args ...any) (int64, error) {
	tag, err := tx.Exec(ctx, partitionSQL(tmpl, datasetID), args...)
	return tag.RowsAffected(), err
}

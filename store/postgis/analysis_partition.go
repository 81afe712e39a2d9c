package postgis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Every analysis version's cell statistics live in one partition of the table
// cell_blocks (migrations 00006 and 00008), named cell_blocks_<version>. A
// save creates it as a plain table, copies the rows in without indexes,
// builds the primary key afterwards and attaches the table just before the
// commit (see analysis_stream.go). Pruning a version detaches its partition
// in the transaction that deletes its run, and drops it right after.

// pruneLockTimeout bounds how long a prune waits for the exclusive locks that
// dropping partitions takes; a prune that gives up is retried by the next save.
const pruneLockTimeout = "5s"

// attachLockTimeout bounds each attempt of a save to take the partitioned
// tables' exclusive lock for the attach, and attachWait all of them together.
// While a save waits for that lock every new reader of the tables queues
// behind it, so it waits in short attempts, stepping aside in between: a long
// read (a large export) delays the save, not every tile request meanwhile.
const (
	attachLockTimeout = 200 * time.Millisecond
	attachPause       = 300 * time.Millisecond
	attachWait        = 5 * time.Minute
)

//go:embed queries/analysis_attach_partitions.sql
var analysisAttachPartitionsSQL string

// attachPartitions attaches version's partitions (analysis_attach_partitions)
// in a savepoint of tx, retrying when the lock is not granted within
// attachLockTimeout, for up to attachWait.
func (s *Store) attachPartitions(ctx context.Context, tx pgx.Tx, version int64) error {
	deadline := time.Now().Add(attachWait)
	for {
		err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			if _, err := sp.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", attachLockTimeout.Milliseconds())); err != nil {
				return err
			}
			if err := s.execAnalysisPartition(ctx, sp, analysisAttachPartitionsSQL, version); err != nil {
				return err
			}
			_, err := sp.Exec(ctx, "SET LOCAL lock_timeout = 0")
			return err
		})
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55P03" { // lock_not_available
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("readers held cell_blocks for more than %v: %w", attachWait, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(attachPause):
		}
	}
}

// analysisPartitionSQL returns the statement tmpl (an embedded file of
// queries/) with its placeholders filled in for version:
//
//	{{version}}      the version as an integer literal (DDL takes no parameters)
//	{{cell_blocks}}  the version's partition of cell_blocks
//
// Identifiers are quoted with pgx.Identifier.Sanitize.
func analysisPartitionSQL(tmpl string, version int64) string {
	v := strconv.FormatInt(version, 10)
	sql := strings.NewReplacer(
		"{{version}}", v,
		"{{cell_blocks}}", pgx.Identifier{"cell_blocks_" + v}.Sanitize(),
	).Replace(tmpl)
	if strings.Contains(sql, "{{") {
		panic(fmt.Sprintf("postgis: a partition statement has an unknown placeholder: %.60q", tmpl))
	}
	return sql
}

// execAnalysisPartition runs the partition statement tmpl for version in tx.
func (s *Store) execAnalysisPartition(ctx context.Context, tx pgx.Tx, tmpl string, version int64) error {
	_, err := tx.Exec(ctx, analysisPartitionSQL(tmpl, version))
	return err
}

// pruneAnalyses deletes every run but the newest keep ones and the current
// one, detaching their partitions in the same transaction, then drops the
// detached tables.
func (s *Store) pruneAnalyses(ctx context.Context, keep int) error {
	if err := s.detachPruned(ctx, keep); err != nil {
		return err
	}
	return s.dropOrphanPartitions(ctx)
}

//go:embed queries/analysis_detach_partitions.sql
var analysisDetachPartitionsSQL string

//go:embed queries/analysis_prune.sql
var analysisPruneSQL string

//go:embed queries/analysis_prune_versions.sql
var analysisPruneVersionsSQL string

// detachPruned deletes the runs to prune and detaches their partitions.
func (s *Store) detachPruned(ctx context.Context, keep int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '"+pruneLockTimeout+"'"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, analysisPruneVersionsSQL, keep)
		if err != nil {
			return err
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(versions) == 0 {
			return err
		}
		for _, v := range versions {
			if err := s.execAnalysisPartition(ctx, tx, analysisDetachPartitionsSQL, v); err != nil {
				return fmt.Errorf("detach partitions of version %d: %w", v, err)
			}
		}
		_, err = tx.Exec(ctx, analysisPruneSQL, versions)
		return err
	})
}

//go:embed queries/analysis_orphan_partitions.sql
var analysisOrphanPartitionsSQL string

// dropOrphanPartitions drops the detached partitions of versions without a
// run, and tables left by saves of older builds that ended without
// committing, each table in its own transaction. It leaves the versions of
// saves that are running (see analysis_stream.go).
func (s *Store) dropOrphanPartitions(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, analysisOrphanPartitionsSQL)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, t := range tables {
		v, err := strconv.ParseInt(t[strings.LastIndexByte(t, '_')+1:], 10, 64)
		if err != nil {
			return fmt.Errorf("partition %s: %w", t, err)
		}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.dropOrphan(ctx, tx, t, v) })
		if err != nil {
			return fmt.Errorf("drop %s: %w", t, err)
		}
	}
	return nil
}

//go:embed queries/analysis_try_lock_version.sql
var analysisTryLockVersionSQL string

// dropOrphan drops table, a partition of version, in tx if it is an orphan
// (analysis_is_orphan.sql) and no save of version is running (it takes the
// version's lock until tx ends).
func (s *Store) dropOrphan(ctx context.Context, tx pgx.Tx, table string, version int64) error {
	var free bool
	if err := tx.QueryRow(ctx, analysisTryLockVersionSQL, version).Scan(&free); err != nil || !free {
		return err
	}
	return s.dropIfOrphan(ctx, tx, table, version)
}

//go:embed queries/analysis_is_orphan.sql
var analysisIsOrphanSQL string

// dropIfOrphan drops table, a partition of version, in tx if it is an orphan.
// The caller holds the version's lock.
func (s *Store) dropIfOrphan(ctx context.Context, tx pgx.Tx, table string, version int64) error {
	var orphan bool
	if err := tx.QueryRow(ctx, analysisIsOrphanSQL, table, version).Scan(&orphan); err != nil || !orphan {
		return err
	}
	_, err := tx.Exec(ctx, "DROP TABLE "+pgx.Identifier{table}.Sanitize())
	return err
}

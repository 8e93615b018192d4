#!/bin/sh
# Creates (idempotently) and migrates the Temporal and visibility schemas on PostgreSQL, then exits.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p 5432 -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"; }
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=$schema/temporal/versioned
  [ "$db" = temporal_visibility ] && dir=$schema/visibility/versioned
  tool --db "$db" create-database || true  # already exists on a re-run
  tool --db "$db" setup-schema -v 0.0 || true  # version table already there on a re-run
  tool --db "$db" update-schema -d "$dir"
done

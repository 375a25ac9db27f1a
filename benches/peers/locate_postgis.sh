#!/usr/bin/env bash
# The peer: 1M points CSV → CSV of finest grids with PostgreSQL 15 + PostGIS 3, as a GIS
# engineer would do it: COPY the points in, build points and a GiST index, join to the
# GiST-indexed grids with ST_Contains keeping the deepest level, COPY the answer out.
# Usage: locate_postgis.sh GRIDS.csv POINTS.csv OUT.csv   (prints seconds of the whole job)
# Needs a running server reachable as $PGHOST/$PGPORT with database $PGDATABASE (see run.sh).
set -euo pipefail
grids_csv=$(realpath "$1"); points_csv=$(realpath "$2"); out_csv=$(realpath -m "$3")
psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS grids_raw, grids, pts_raw, pts;
CREATE TABLE grids_raw (code text, name text, level int, parent_code text, township_code text, kind text, wkt text);
\copy grids_raw FROM '$grids_csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE grids AS SELECT code, level, ST_GeomFromText(wkt, 4326) AS geom FROM grids_raw;
CREATE INDEX ON grids USING gist (geom);
ANALYZE grids;
SQL
started=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE UNLOGGED TABLE pts_raw (id text, lon float8, lat float8);
\copy pts_raw FROM '$points_csv' WITH (FORMAT csv, HEADER true)
CREATE UNLOGGED TABLE pts AS SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM pts_raw;
CREATE INDEX ON pts USING gist (geom);
ANALYZE pts;
\copy (SELECT p.id, coalesce((SELECT g.code FROM grids g WHERE ST_Contains(g.geom, p.geom) ORDER BY g.level DESC LIMIT 1), '') FROM pts p) TO '$out_csv' WITH (FORMAT csv)
SQL
ended=$(date +%s.%N)
echo "$ended - $started" | bc

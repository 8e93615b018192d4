#!/bin/sh
# Creates the worker's bucket (S3_BUCKET) once MinIO is healthy; safe to re-run.
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$S3_BUCKET"

#!/usr/bin/env bash
# Restore a backup (docs/deployment.md) into the EMPTY database DATABASE_URL and the media folder
# JIANCE_MEDIA_ROOT, then apply the migrations of the installed version (a backup from an older
# version is upgraded on the way).   Usage: deploy/restore.sh jiance-<stamp>.dump media-<stamp>.tar.gz
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the new, empty PostgreSQL database}"
db_file="${1:?the .dump file}"
media_file="${2:?the media .tar.gz file}"
media="${JIANCE_MEDIA_ROOT:-/var/lib/jiance/media}"
here="$(cd "$(dirname "$0")/.." && pwd)"
tables="$(psql "$DATABASE_URL" -tAc "select count(*) from information_schema.tables where table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the database is not empty ($tables tables): restore into a new database" >&2
  exit 1
fi
pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" "$db_file"
mkdir -p "$media"
tar -xzf "$media_file" -C "$media"
"$here/.venv/bin/jiance" migrate --no-input
echo "restored $db_file and $media_file"

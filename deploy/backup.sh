#!/usr/bin/env bash
# Nightly backup (docs/deployment.md): the database as a pg_dump custom-format file and the uploaded
# files as a tarball, side by side in JIANCE_BACKUP_DIR, named by time; older than JIANCE_BACKUP_DAYS
# days are deleted. Reads DATABASE_URL and JIANCE_MEDIA_ROOT like the platform.
# Prints the two paths on success. Copy the folder off the machine as the office's rules say.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
dir="${JIANCE_BACKUP_DIR:-/var/lib/jiance/backups}"
days="${JIANCE_BACKUP_DAYS:-14}"
media="${JIANCE_MEDIA_ROOT:-/var/lib/jiance/media}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
umask 077  # personal data: readable by the service account only
db_file="$dir/jiance-$stamp.dump"
media_file="$dir/media-$stamp.tar.gz"
pg_dump --format=custom --no-owner --file="$db_file.part" "$DATABASE_URL"
mv "$db_file.part" "$db_file"
if [ -d "$media" ]; then
  tar -czf "$media_file.part" -C "$media" .
else
  tar -czf "$media_file.part" --files-from /dev/null
fi
mv "$media_file.part" "$media_file"
find "$dir" -maxdepth 1 -name 'jiance-*.dump' -mtime +"$days" -delete
find "$dir" -maxdepth 1 -name 'media-*.tar.gz' -mtime +"$days" -delete
echo "$db_file"
echo "$media_file"

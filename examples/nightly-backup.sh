#!/bin/sh
# A nightly Looker backup, for cron: back up, keep 7 daily, 5 weekly and 12 monthly snapshots,
# ship a copy to object storage (with the same retention there), and commit the content to git
# one file per item, so the history of every dashboard is reviewable.
#
#   LOOKERSDK_BASE_URL, LOOKERSDK_CLIENT_ID, LOOKERSDK_CLIENT_SECRET   the Looker (or looker.ini)
#   AWS_* (or an instance role)                                        the object storage
#   LOOKERVAULT_REMOTE    s3://bucket/prefix (required)
#   LOOKERVAULT_DB        the backup file          [/var/backups/looker/looker.db]
#   LOOKERVAULT_REPO      the git work tree        [/var/backups/looker/content]
#   LOOKERVAULT_ENDPOINT  an S3-compatible endpoint (MinIO, R2, GCS), if not AWS
#   LOOKERVAULT           how to run lookervault   [lookervault]
#
# crontab:  15 2 * * *  /opt/lookervault/nightly-backup.sh >> /var/log/lookervault.log 2>&1
#
# Exit code: 0, or the first failure's (3 when the extract was partial: everything else still
# ran on what it got, and the next night's run fetches the rest).
set -u
DB=${LOOKERVAULT_DB:-/var/backups/looker/looker.db}
REPO=${LOOKERVAULT_REPO:-/var/backups/looker/content}
REMOTE=${LOOKERVAULT_REMOTE:?set LOOKERVAULT_REMOTE to s3://bucket/prefix}
LV=${LOOKERVAULT:-lookervault}
KEEP="--keep-daily 7 --keep-weekly 5 --keep-monthly 12"
status=0

$LV extract --db "$DB" --no-progress
code=$?
# 3: partial (some items failed and are recorded); anything else but 0 stops here.
if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then exit "$code"; fi
status=$code

$LV forget --db "$DB" $KEEP --prune || exit $?
$LV push "$REMOTE" --db "$DB" $KEEP --no-progress ${LOOKERVAULT_ENDPOINT:+--endpoint "$LOOKERVAULT_ENDPOINT"} || exit $?

mkdir -p "$REPO"
[ -d "$REPO/.git" ] || git -C "$REPO" init -q || exit $?
$LV export "$REPO" --db "$DB" || exit $?
git -C "$REPO" add -A || exit $?
# Only real changes make a commit (an unchanged night leaves the tree as it was).
if ! git -C "$REPO" diff --cached --quiet; then
  git -C "$REPO" commit -q -m "Looker content $(date -u +%Y-%m-%dT%H:%MZ)" || exit $?
fi
exit "$status"

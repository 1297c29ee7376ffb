#!/usr/bin/env bash
# make lint: squawk, the PostgreSQL migration linter, over every statement the pack sends to a
# user's database: migrations/*.sql and the sql/ files that the .ts migrations and make migrate
# send (sql/steps, sql/sync, sql/backfill.sql, sql/lib, sql/verify, and any new file).
# Rules are those of PostgreSQL 15, the oldest version the pack runs on.
#
# Not linted:
#   sql/baseline.sql   the app's schema before the pack: not ours, and the pack never runs it
#   sql/invariants/    harness only: runs in the scratch databases the harness creates
#   sql/online/        harness only (make verify-online), the same
#
# Each rule left out has its reason next to it, scoped to the files it applies to.
# Exit code: 0 clean, 1 findings (or a listed file is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

SQUAWK=${SQUAWK:-.tools/node_modules/.bin/squawk}
[[ -x $SQUAWK ]] || { echo "lint: $SQUAWK not found; run make lint (it installs squawk-cli into .tools/)" >&2; exit 2; }

# Everywhere. require-statement-timeout: the long statements are long by design; the backfill's
# batches, VALIDATE CONSTRAINT and CREATE INDEX CONCURRENTLY block no app query, and a
# statement_timeout would only abort them on large tables. Waits that queue app queries are
# bounded by the lock_timeout every step sets (require-lock-timeout stays on). The contract's
# check and its downs do hold the app up while they run: make verify-online measures how long.
GLOBAL=require-statement-timeout

status=0
linted=()

# lint <tx|notx> <rules left out for these files, comma-separated, or ""> <file>...
#   tx:   node-pg-migrate runs the file inside a transaction (.sql migrations, and the SQL of .ts
#         migrations that do not call pgm.noTransaction())
#   notx: sent one statement at a time outside a transaction (pgm.noTransaction() steps)
lint() {
  local mode=$1 rules=$2
  shift 2
  local args=(--pg-version=15 --reporter=gcc "--exclude=${GLOBAL}${rules:+,$rules}")
  [[ $mode == tx ]] && args+=(--assume-in-transaction)
  local f
  for f in "$@"; do
    [[ -f $f ]] || { echo "lint: $f is listed here but does not exist" >&2; status=1; }
  done
  "$SQUAWK" "${args[@]}" "$@" || status=1
  linted+=("$@")
}

# In a transaction -----------------------------------------------------------------------------
# ban-drop-column: 01's down drops the image_id columns its own up added; no app reads them yet.
lint tx ban-drop-column sql/steps/01_expand-columns.up.sql sql/steps/01_expand-columns.down.sql
lint tx "" migrations/04_expand-foreign-keys.sql migrations/07_validate-foreign-keys.sql
# ban-drop-column: the contract. Dropping the old column is its purpose; it refuses unless the
# backfill is complete, archives every unmapped value first, and its down restores them.
lint tx ban-drop-column sql/steps/08_contract-posts.up.sql sql/steps/09_contract-user.up.sql
lint tx "" sql/steps/08_contract-posts.down.sql sql/steps/09_contract-user.down.sql
lint tx "" sql/steps/05_transition-sync-triggers.down.sql
lint tx "" sql/sync/posts.sql sql/sync/user.sql

# Outside a transaction ------------------------------------------------------------------------
lint notx "" sql/steps/02_expand-storage-indexes.up.sql sql/steps/02_expand-storage-indexes.down.sql \
  sql/steps/03_index-image-id.up.sql sql/steps/03_index-image-id.down.sql
# require-lock-timeout: CREATE OR REPLACE PROCEDURE locks no table; the CALLs that do run after
# sql/steps/06_backfill.up.sql sets lock_timeout.
lint notx require-lock-timeout sql/backfill.sql
# 05 has psql-style :batch_size / :pause_ms variables, which squawk cannot parse: lint it with
# the defaults filled in, as migrations/06_backfill.ts does (withIntegers).
f=sql/steps/06_backfill.up.sql
sed -e 's/:batch_size\b/2500/g' -e 's/:pause_ms\b/0/g' "$f" |
  "$SQUAWK" --pg-version=15 --reporter=gcc "--exclude=$GLOBAL" --stdin-filepath "$f" || status=1
linted+=("$f")

# require-lock-timeout: CREATE OR REPLACE PROCEDURE locks no table; the CALLs that do run after
# the restore files below set lock_timeout.
lint notx require-lock-timeout sql/restore.sql
# ban-drop-table: the contract's down drops the archive table its up created, after restoring
# the old column from it. :batch_size filled in as for 05.
for f in sql/steps/08_contract-posts.restore.sql sql/steps/09_contract-user.restore.sql; do
  sed -e 's/:batch_size\b/2500/g' "$f" |
    "$SQUAWK" --pg-version=15 --reporter=gcc "--exclude=$GLOBAL,ban-drop-table" --stdin-filepath "$f" || status=1
  linted+=("$f")
done

# Read-only queries the tools run (make migrate, make verify's step checks, make preflight) -----
lint notx "" sql/lib/*.sql sql/verify/*.sql

# ban-uncommitted-transaction, transaction-nesting: the two halves of make preflight's one READ
# ONLY transaction; its queries (sql/preflight/*.sql) run between them.
lint notx ban-uncommitted-transaction,transaction-nesting sql/preflight/begin.sql sql/preflight/end.sql

# Any other file, e.g. one added since this list was written: all rules, no transaction assumed.
others=()
while IFS= read -r f; do
  [[ " ${linted[*]} " == *" $f "* ]] || others+=("$f")
done < <(find migrations sql -name '*.sql' \
  -not -path sql/baseline.sql -not -path 'sql/invariants/*' -not -path 'sql/online/*' | sort)
((${#others[@]})) && lint notx "" "${others[@]}"

if ((status == 0)); then
  echo "squawk: ${#linted[@]} files clean (PostgreSQL 15 rules; ${#others[@]} files not listed in harness/lint.sh got every rule;" \
    "left out: $GLOBAL everywhere, others per file as commented in harness/lint.sh)"
fi
exit $status

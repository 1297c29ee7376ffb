#!/usr/bin/env bash
# make lint: squawk, the PostgreSQL migration linter, over every statement the pack sends to a
# user's database: each migration's files (migrations/NN_name/*.sql), the shared SQL they
# include (sql/guards, sql/lib, sql/sync, the batch procedures), make migrate's own queries, and
# any new file.
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

# The integers lib/sql.ts fills in are psql-style :names, which squawk cannot parse: every file
# is linted with the defaults filled in, as the migrations send it. squawk cannot parse psql's
# \ir either: an included file is linted on its own, so the line is dropped here.
fill() {
  sed -e '/^\\ir /d' -e 's/:batch_size\b/1000/g' -e 's/:pause_ms\b/0/g' -e 's/:target_ms\b/100/g' \
      -e 's/:lock_attempt_ms\b/100/g' -e 's/:lock_wait_ms\b/60000/g' -e 's/:max_lag_ms\b/10000/g' "$1"
}

# lint <tx|notx> <rules left out for these files, comma-separated, or ""> <file>...
#   tx:   node-pg-migrate runs the file inside a transaction (the SQL of .ts migrations that do
#         not call pgm.noTransaction(), and the one-string parts of those that do)
#   notx: sent one statement at a time outside a transaction (pgm.noTransaction() steps)
lint() {
  local mode=$1 rules=$2
  shift 2
  local args=(--pg-version=15 --reporter=gcc "--exclude=${GLOBAL}${rules:+,$rules}")
  [[ $mode == tx ]] && args+=(--assume-in-transaction)
  local f
  for f in "$@"; do
    if [[ -f $f ]]; then
      fill "$f" | "$SQUAWK" "${args[@]}" --stdin-filepath "$f" || status=1
    else
      echo "lint: $f is listed here but does not exist" >&2
      status=1
    fi
    linted+=("$f")
  done
}

# require-lock-timeout, wherever a step takes its locks through image_ref_lock(): that function
# sets lock_timeout (set_config, transaction-local) to one attempt before it locks anything, and
# every DDL statement after it finds its locks already held. squawk cannot see into the call.
LOCKED=require-lock-timeout

# In a transaction -----------------------------------------------------------------------------
# Each migration's files are in migrations/NN_name/ (lib/plan.ts says which are sent in one
# transaction). Shared files a step includes with \ir are linted on their own, below.
M=migrations
# ban-drop-column: 01's down drops the image_id columns its own up added, after every later
# step's down has run: by then no app version reads or writes them.
# require-concurrent-index-deletion: 01's down drops only what a killed 02 or 03 left behind
# (their downs drop the rest concurrently), under the ACCESS EXCLUSIVE lock it already holds.
lint tx "$LOCKED" $M/01_expand-columns/deploy.sql
lint tx "$LOCKED,ban-drop-column,require-concurrent-index-deletion" $M/01_expand-columns/revert.sql
lint tx "$LOCKED" $M/04_expand-foreign-keys/deploy.sql $M/04_expand-foreign-keys/revert.sql \
  $M/05_transition-sync-triggers/deploy.sql $M/07_validate-foreign-keys/deploy.sql
# ban-drop-table: 05's down drops the archive a contract that stopped halfway left behind.
lint tx "$LOCKED,ban-drop-table" $M/05_transition-sync-triggers/revert.sql
lint tx "$LOCKED" $M/08_contract-posts/deploy.sql $M/09_contract-user/deploy.sql
# ban-drop-column: the contract. Dropping the old column is its purpose; its archive pass
# (deploy-archive.sql) checked every row and archived every unmapped value, and its down
# restores them.
lint tx "$LOCKED,ban-drop-column" $M/08_contract-posts/deploy-drop.sql
# The user contract keeps "user".image (better-auth); it only detaches the sync trigger.
lint tx "$LOCKED" $M/09_contract-user/deploy-detach.sql
lint tx "$LOCKED" $M/08_contract-posts/revert.sql $M/09_contract-user/revert.sql
# ban-drop-table: the contract's down drops the archive table its up created, after restoring
# the old column from it.
lint tx "$LOCKED,ban-drop-table" $M/08_contract-posts/revert-finish.sql $M/09_contract-user/revert-finish.sql
lint tx "$LOCKED" $M/08_contract-posts/revert-finish-storage.sql $M/09_contract-user/revert-finish-storage.sql
# ban-drop-column: the opt-in drop of "user".image; it keeps the values in user_image_dropped,
# and refuses unless asked for by name (better-auth must be configured without the column).
# ban-drop-table: its down drops that table after writing the values back.
lint tx "$LOCKED,ban-drop-column" $M/opt-in/10_drop-user-image/deploy.sql
lint tx "$LOCKED,ban-drop-table" $M/opt-in/10_drop-user-image/revert.sql
# The sync triggers: included after the lock is taken (05's deploy, the contracts' reverts).
lint tx "$LOCKED" sql/sync/posts.sql sql/sync/user.sql sql/lib/pin_functions.sql sql/lib/lock_retry.sql

# Outside a transaction ------------------------------------------------------------------------
lint notx "" $M/02_expand-storage-indexes/deploy.sql $M/02_expand-storage-indexes/revert.sql \
  $M/03_expand-image-id-indexes/deploy.sql $M/03_expand-image-id-indexes/revert.sql \
  $M/06_backfill/deploy.sql $M/08_contract-posts/deploy-archive.sql $M/09_contract-user/deploy-archive.sql \
  $M/09_contract-user/deploy-clear.sql \
  $M/08_contract-posts/revert-restore.sql $M/09_contract-user/revert-restore.sql
# require-lock-timeout: CREATE OR REPLACE PROCEDURE locks no table; the CALLs that do run after
# the step files above set lock_timeout.
lint notx require-lock-timeout sql/batches.sql sql/backfill.sql sql/archive.sql sql/restore.sql

# require-lock-timeout: the plan guard's (lib/query-plan.ts) temporary function, in pg_temp of
# the harness's own session; it locks nothing of the app's.
lint notx require-lock-timeout sql/lib/explain_prepared.sql

# The guards of 01 (and of 06, 08, 09): read-only DO blocks.
lint notx "" sql/guards/*.sql

# Read-only queries the tools run (make migrate, make verify's step checks, make preflight) -----
lint notx "" sql/lib/applied_migrations.sql sql/lib/invalid_indexes.sql sql/lib/lock_holders.sql \
  sql/lib/migration_lock.sql sql/lib/migration_unlock.sql sql/lib/schema_exists.sql sql/lib/use_schema.sql $M/*/verify.sql

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

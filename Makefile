# The two commands a new user runs (both install what they need on first run):
#   make verify   the whole pack on a seeded scratch database: migrate, check, roll back, compare
#   make test     the vitest suite on real PostgreSQL
SHELL := /bin/bash
NPM_STAMP := node_modules/.package-lock.json
TSX := node_modules/.bin/tsx

.PHONY: install verify verify-online test typecheck migrate rollback backfill preflight bench bench-scale bench-batch-sizes bench-upload lint clean storage-audit bench-storage-audit bench-feed-index

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_STAMP)

verify: install
	$(TSX) harness/verify.ts

# The pack under live traffic on a seeded scratch database (SCALE posts, default 200k): old- and
# new-app writers and feed readers run through every step; prints app latency per step.
verify-online: install
	$(TSX) harness/online.ts

# squawk (PostgreSQL 15 rules) over every SQL statement the pack sends to a user's database.
# squawk-cli stays out of package.json: its other platforms' binaries are optional dependencies
# that this registry does not serve, and npm ci then rejects the lock file. It goes in .tools/.
SQUAWK_VERSION := 2.66.0
SQUAWK := .tools/node_modules/.bin/squawk

$(SQUAWK):
	npm install --no-save --no-audit --no-fund --prefix .tools squawk-cli@$(SQUAWK_VERSION)

lint: install $(SQUAWK)
	SQUAWK=$(SQUAWK) harness/lint.sh

test: install
	node_modules/.bin/vitest run --config harness/vitest.config.ts

typecheck: install
	node_modules/.bin/tsc --noEmit -p tsconfig.json

# Against DATABASE_URL, in schema MIGRATE_SCHEMA (default public). STEPS=N limits how many
# migrations run; STOP_BEFORE=09_contract-user applies everything pending before the user
# contract; both become the name of the last migration to run, so a retry never goes past it.
# Lock timeouts and deadlocks are retried: MIGRATE_RETRIES (5), MIGRATE_RETRY_BASE_MS (1000).
# make backfill sends migration 06's statements, with its settings.
migrate: install
	$(TSX) harness/migrate-cli.ts up $(STEPS)

rollback: install
	$(TSX) harness/migrate-cli.ts down $(STEPS)

backfill: install
	$(TSX) harness/migrate-cli.ts backfill

# Read-only report of what the pack will find in DATABASE_URL (safe on production: one READ ONLY
# transaction). ARGS=--json for JSON; BACKFILL_BATCH_SIZE sets the batch size it counts.
preflight: install
	$(TSX) harness/preflight.ts $(ARGS)

# Feed latency before and after the pack, in one run, against the 100 ms budget (1M posts by
# default; BENCH_POSTS=… for another scale). Writes bench/results/<timestamp>.{json,svg}.
bench: install
	$(TSX) bench/run.ts

# Cost curves: make bench at each size of SCALES (default 100k,300k,1m; e.g. SCALES=100k,1m,10m),
# in its fast mode (shorter sampling windows), then one chart of every step's time, the backfill's
# references and the app's latency against the rows, with the points that bend a curve.
# Writes bench/results/scale-<timestamp>.{json,svg} (and each size's own results file).
bench-scale: install
	$(TSX) bench/scale.ts

# The backfill at each batch size of BENCH_BATCH_SIZES (default 1000,2500,5000 rows), each
# beside its own references, on one seeded database (SCALE, default 1M posts).
bench-batch-sizes: install
	$(TSX) bench/batch-sizes.ts

# The bucket (S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY) against
# DATABASE_URL, read-only: orphaned objects, broken links, archive-only objects, mismatches.
# AUDIT_GRACE (7 days). ARGS=--json, --delete-orphans (a dry run), --delete-orphans --yes, ...
# What the transition costs an upload (the late-upload triggers of 05), against a baseline twin,
# interleaved (1M posts by default; SCALE=… for another). Writes bench/results/upload-*.json.
bench-upload: install
	$(TSX) bench/upload.ts

# The feed's two storage lookups (issue 13 item 6): the covering index storage (id) INCLUDE
# (file_key), a hash index and other query shapes against the baseline twin, interleaved, and the
# index's cost to an upload (1M posts by default; SCALE=… for another). bench/results/feed-index-*.json.
bench-feed-index: install
	$(TSX) bench/feed-index.ts

storage-audit: install
	$(TSX) harness/storage-audit.ts $(ARGS)

# The audit's speed and memory against the local S3 server (AUDIT_BENCH_SIZES, default 10000,100000).
# Writes bench/results/storage-audit-<timestamp>.json.
bench-storage-audit: install
	node --expose-gc --import tsx bench/storage-audit.ts

clean:
	rm -rf reports

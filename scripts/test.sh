#!/usr/bin/env bash
# The project's test command (README): starts the services the tests need when they are not
# running, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
export AURUM_TEST_DATABASE_URL="${AURUM_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export AURUM_TEST_REDIS_URL="${AURUM_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi

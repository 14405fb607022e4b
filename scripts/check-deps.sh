#!/usr/bin/env bash
# Enforces the dependency rule of ARCHITECTURE.md: ports <- core <- shell, ports <- adapters <- shell.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
forbid() { # package, crate
  local out
  out=$(cargo tree -p "$1" -e normal -i "$2" --offline 2>/dev/null || true)
  if [ -n "$out" ]; then
    echo "dependency rule broken: $1 depends on $2:" >&2
    echo "$out" >&2
    fail=1
  fi
}
for pkg in aurum-ports aurum-core; do
  for bad in tokio actix-web actix-http actix-rt tokio-postgres deadpool-postgres redis bb8 bb8-redis reqwest hyper opentelemetry_sdk; do
    forbid "$pkg" "$bad"
  done
done
for pkg in aurum-ports; do forbid "$pkg" aurum-core; done
for adapter in $(ls adapters); do
  forbid "aurum-adapter-$adapter" aurum-core
  for other in $(ls adapters); do
    [ "$other" = "$adapter" ] || forbid "aurum-adapter-$adapter" "aurum-adapter-$other"
  done
done
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "dependency rule: ok"

#!/usr/bin/env bash
# Validates deploy/: the Prometheus rules (promtool check + unit tests), the Grafana dashboard
# (valid JSON, known metrics only, unique panel ids, a ${datasource} variable), and that
# deploy/slo.yaml and the rules state the same objectives. Installs promtool (Debian's
# `prometheus` package) and PyYAML when missing; needs root for that (CI runs as root).
# Exit status: 0 when everything holds, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "check-deploy: ${need[*]} missing and not root; install them first" >&2
    exit 1
  fi
  echo "check-deploy: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's postinst may try to start a prometheus service; policy-rc.d or the absence
  # of an init system stops it, which is fine: only promtool is used.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

fail=0
echo "== promtool check rules"
promtool check rules deploy/prometheus/aurum-rules.yml || fail=1
echo "== promtool test rules"
promtool test rules deploy/prometheus/aurum-rules.test.yml || fail=1

echo "== dashboard, SLO definition and rules agreement"
python3 - <<'PY' || fail=1
import json
import re
import sys

import yaml

errors = []


def error(msg):
    errors.append(msg)


# The metrics Aurum exposes (Prometheus spelling); histograms with their series suffixes.
HISTOGRAMS = [
    "http_server_request_duration_seconds",
    "aurum_scenario_run_duration_seconds",
    "aurum_scenario_queue_wait_seconds",
]
METRICS = {
    "http_server_requests_total",
    "aurum_cache_requests_total",
    "aurum_rate_limit_decisions_total",
    "aurum_scenario_runs_total",
    "aurum_outbox_lag_seconds",
    "aurum_outbox_dead_letters",
    "aurum_ingest_rows_total",
    "aurum_db_pool_connections",
    "aurum_dependency_up",
    "aurum_api_v1_requests_total",
} | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan", "Inf", "NaN"}


def metric_names(expr):
    """Series names a PromQL expression selects (functions, keywords, labels left out)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"'(?:[^'\\]|\\.)*'", "''", e)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        tok = m.group(0)
        before = e[m.start() - 1] if m.start() > 0 else " "
        if before.isdigit() or before == ".":
            continue  # exponent of a number such as 1e3
        if e[m.end():].lstrip().startswith("("):
            continue  # function call
        if tok not in KEYWORDS:
            names.add(tok)
    return names


def number(text):
    return float(text)


# --- rules ---------------------------------------------------------------------------------
rules_doc = yaml.safe_load(open("deploy/prometheus/aurum-rules.yml"))
records, alerts = [], []
for group in rules_doc["groups"]:
    for rule in group["rules"]:
        (records if "record" in rule else alerts).append(rule)
recorded = {r["record"] for r in records}
for rule in records + alerts:
    name = rule.get("record") or rule.get("alert")
    unknown = metric_names(rule["expr"]) - METRICS - recorded
    if unknown:
        error(f"rule {name}: unknown series {sorted(unknown)}")

# Runbook anchors must exist in docs/slo.md (GitHub heading slugs).
def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")

doc = open("docs/slo.md").read()
anchors = {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", doc, re.M)}
for a in alerts:
    labels, ann = a.get("labels", {}), a.get("annotations", {})
    if labels.get("severity") not in ("page", "ticket"):
        error(f"alert {a['alert']}: severity must be page or ticket")
    for key in ("summary", "description", "runbook_url"):
        if not ann.get(key):
            error(f"alert {a['alert']}: annotation {key} missing")
    url = ann.get("runbook_url", "")
    m = re.search(r"docs/slo\.md#([\w-]+)$", url)
    if not m or m.group(1) not in anchors:
        error(f"alert {a['alert']}: runbook_url {url!r} does not point at a heading of docs/slo.md")

# --- SLO definition vs rules -----------------------------------------------------------------
slo_doc = yaml.safe_load(open("deploy/slo.yaml"))
if slo_doc.get("version") != 1:
    error("deploy/slo.yaml: version must be 1")
groups = {g["name"]: g for g in slo_doc.get("route_groups", [])}
slos = slo_doc.get("slos", [])
names = [s["name"] for s in slos]
if len(names) != len(set(names)):
    error("deploy/slo.yaml: duplicate SLO names")
for g in groups.values():
    for key in ("methods", "routes", "exclude_routes"):
        if key in g:
            try:
                re.compile(g[key])
            except re.error as e:
                error(f"route group {g['name']}: {key} {g[key]!r}: {e}")


def with_slo(rules, name):
    return [r for r in rules if r.get("labels", {}).get("slo") == name]


def recorded_as(record, name):
    found = [r for r in with_slo(records, name) if r["record"] == record]
    if not found:
        error(f"SLO {name}: no recording rule {record} with slo={name}")
    return found


def group_selector(group, status):
    m = [f'http_request_method=~"{group["methods"]}"', f'http_route=~"{group["routes"]}"']
    if "exclude_routes" in group:
        m.append(f'http_route!~"{group["exclude_routes"]}"')
    if status:
        m.append(f'http_response_status_code=~"{status}"')
    return ",".join(m)


def constant(record, name, expected):
    for r in recorded_as(record, name):
        m = re.fullmatch(r"\s*vector\(\s*([\d.eE+-]+)\s*\)\s*", r["expr"])
        if not m or abs(number(m.group(1)) - expected) > 1e-12:
            error(f"SLO {name}: {record} is {r['expr']!r}, expected vector({expected})")


def compared(name, op, expected, alert_rules):
    """Every alert of the SLO compares against `expected` with `op`."""
    if not alert_rules:
        error(f"SLO {name}: no alert labelled slo={name}")
    for a in alert_rules:
        values = [number(v) for v in re.findall(rf"(?<![<>=!]){re.escape(op)}\s*([\d.]+)", a["expr"])]
        if not any(abs(v - expected) < 1e-12 for v in values):
            error(f"SLO {name}: alert {a['alert']} does not compare {op} {expected}")


def quantile_of(r, q):
    m = re.search(r"histogram_quantile\(\s*([\d.]+)\s*,", r["expr"])
    return m and abs(number(m.group(1)) - q) < 1e-12


used = {r.get("labels", {}).get("slo") for r in records + alerts} - {None}
for orphan in sorted(used - set(names)):
    error(f"rules use slo={orphan}, which deploy/slo.yaml does not define")

for s in slos:
    name, kind = s["name"], s.get("kind")
    slo_alerts = with_slo(alerts, name)
    if kind == "error_ratio":
        g = groups.get(s["route_group"])
        if g is None:
            error(f"SLO {name}: unknown route group {s['route_group']}")
            continue
        budget = 1 - s["objective"]
        constant("aurum:slo_objective:ratio", name, s["objective"])
        ratios = [r for r in with_slo(records, name) if r["record"].startswith("aurum:slo_errors:ratio_rate")]
        raw = [r for r in ratios if "http_server_requests_total" in r["expr"]]
        if not raw:
            error(f"SLO {name}: no aurum:slo_errors:ratio_rate* rule over http_server_requests_total")
        for r in raw + recorded_as("aurum:slo_errors:rate5m", name):
            if "http_server_requests_total{" + group_selector(g, s["error_statuses"]) + "}" not in r["expr"]:
                error(f"SLO {name}: {r['record']} does not select the errors of group {g['name']}")
        for r in raw + recorded_as("aurum:slo_requests:rate5m", name):
            if "http_server_requests_total{" + group_selector(g, None) + "}" not in r["expr"]:
                error(f"SLO {name}: {r['record']} does not select the requests of group {g['name']}")
        for r in recorded_as("aurum:slo_error_budget_remaining:ratio30d", name):
            if not re.search(rf"\(\s*1\s*-\s*{re.escape(str(s['objective']))}\s*\)", r["expr"]):
                error(f"SLO {name}: error budget rule does not use the objective {s['objective']}")
        burns = {}
        for a in slo_alerts:
            for burn, b in re.findall(r"\(\s*([\d.]+)\s*\*\s*([\d.]+)\s*\)", a["expr"]):
                if abs(number(b) - budget) > 1e-12:
                    error(f"SLO {name}: alert {a['alert']} uses budget {b}, expected {budget:.6g}")
                burns.setdefault(a["alert"], set()).add(number(burn))
        if burns.get("AurumErrorBudgetBurnFast") != {14.4, 6.0}:
            error(f"SLO {name}: AurumErrorBudgetBurnFast must use burn rates 14.4 and 6")
        if burns.get("AurumErrorBudgetBurnSlow") != {1.0}:
            error(f"SLO {name}: AurumErrorBudgetBurnSlow must use burn rate 1")
    elif kind == "latency":
        g = groups.get(s["route_group"])
        if g is None:
            error(f"SLO {name}: unknown route group {s['route_group']}")
            continue
        constant("aurum:slo_threshold:seconds", name, s["threshold_seconds"])
        selector = "http_server_request_duration_seconds_bucket{" + group_selector(g, s.get("statuses")) + "}"
        for r in recorded_as("aurum:slo_latency_seconds:p99_rate5m", name):
            if selector not in r["expr"]:
                error(f"SLO {name}: {r['record']} does not select {selector}")
            if not quantile_of(r, s["quantile"]):
                error(f"SLO {name}: {r['record']} is not the {s['quantile']} quantile")
        compared(name, ">", s["threshold_seconds"], slo_alerts)
    elif kind == "cache_hit_ratio":
        constant("aurum:slo_objective:ratio", name, s["min_ratio"])
        ns = f'namespace=~"{s["namespaces"]}"'
        for record in ("aurum:slo_cache_hit:ratio_rate1h", "aurum:slo_cache_requests:increase1h"):
            for r in recorded_as(record, name):
                if ns not in r["expr"]:
                    error(f"SLO {name}: {record} does not select {ns}")
                if ns + ',result!="bypass"' not in r["expr"]:
                    error(f"SLO {name}: {record} must count lookups as every result but bypass")
        compared(name, "<", s["min_ratio"], slo_alerts)
        compared(name, ">=", s.get("min_requests", 1), slo_alerts)
    elif kind == "queue_wait":
        constant("aurum:slo_threshold:seconds", name, s["threshold_seconds"])
        for r in recorded_as("aurum:slo_queue_wait_seconds:p99_rate15m", name):
            if "aurum_scenario_queue_wait_seconds_bucket" not in r["expr"] or not quantile_of(r, s["quantile"]):
                error(f"SLO {name}: {r['record']} is not the {s['quantile']} quantile of the queue wait")
        compared(name, ">", s["threshold_seconds"], slo_alerts)
    else:
        error(f"SLO {name}: unknown kind {kind!r}")

# --- dashboard -----------------------------------------------------------------------------
try:
    dash = json.load(open("deploy/grafana/aurum-slo.json"))
except ValueError as e:
    error(f"deploy/grafana/aurum-slo.json is not valid JSON: {e}")
    dash = {}
if dash:
    if dash.get("schemaVersion", 0) < 36:
        error("dashboard: schemaVersion must be >= 36")
    variables = dash.get("templating", {}).get("list", [])
    if not any(v.get("name") == "datasource" and v.get("type") == "datasource"
               and v.get("query") == "prometheus" for v in variables):
        error("dashboard: no `datasource` variable of Prometheus type")
    panels = []

    def walk(ps):
        for p in ps:
            panels.append(p)
            walk(p.get("panels", []))

    walk(dash.get("panels", []))
    ids = [p.get("id") for p in panels]
    dupes = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if None in ids or dupes:
        error(f"dashboard: panel ids must be present and unique (duplicates: {dupes})")
    for p in panels:
        title = p.get("title", "?")
        if "gridPos" not in p:
            error(f"panel {title!r}: no gridPos")
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${datasource}":
            error(f"panel {title!r}: datasource must be ${{datasource}}")
        targets = p.get("targets") or []
        if not targets:
            error(f"panel {title!r}: no targets")
        for t in targets:
            expr = t.get("expr", "")
            if not expr.strip():
                error(f"panel {title!r}: target {t.get('refId')} has no expr")
                continue
            unknown = metric_names(expr) - METRICS - recorded
            if unknown:
                error(f"panel {title!r}: unknown series {sorted(unknown)} in {expr!r}")
    print(f"dashboard: {len(panels)} panels checked")

print(f"rules: {len(records)} recording rules, {len(alerts)} alerts; slo.yaml: {len(slos)} SLOs")
if errors:
    for e in errors:
        print("error:", e, file=sys.stderr)
    sys.exit(1)
print("deploy: rules, dashboard and slo.yaml agree")
PY

if [ "$fail" -ne 0 ]; then
  echo "check-deploy: FAILED" >&2
  exit 1
fi
echo "check-deploy: ok"

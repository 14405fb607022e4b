-- Rate-limit policies managed through the admin API. Every instance reloads them periodically
-- (AURUM_RATE_LIMIT_REFRESH_MS), so a change applies everywhere without a restart.
-- Operator data, not tenant data: no row-level security; the login role reads and writes it.
CREATE TABLE rate_limit_policy (
    name         text PRIMARY KEY CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    tenant_id    text,
    route_group  text,
    quota        bigint NOT NULL CHECK (quota BETWEEN 1 AND 4294967295),
    window_ms    bigint NOT NULL CHECK (window_ms >= 1000),
    burst        bigint NOT NULL CHECK (burst BETWEEN 0 AND 4294967295),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Scenarios, their runs and outputs, the transactional outbox and idempotency keys
-- (DOMAIN.md §2, standards §4 and §5).
--
-- Row-level security. The tenant tables (scenario, scenario_run, scenario_output,
-- idempotency_key) only show and accept rows whose tenant_id equals the transaction's
-- `app.current_tenant` setting; without it they show nothing. Superusers and BYPASSRLS roles
-- skip every policy (even with FORCE), so the adapter never relies on the login role: each of
-- its transactions first switches, with SET LOCAL semantics, to one of two NOLOGIN roles that
-- this migration creates (roles are cluster-wide, so it creates them only when missing):
--   aurum_app    tenant-scoped work; policy tenant_isolation applies.
--   aurum_worker the queue's cross-tenant work (claim, heartbeat, complete, fail, release,
--                reclaim, outbox relay); policy worker_all lets it see every tenant's runs.
-- The login role must be a member of both (`GRANT aurum_app, aurum_worker TO <login>`); a
-- superuser already may. Running this migration needs CREATEROLE unless both roles exist.
-- FORCE makes the policies bind the tables' owner too, should it ever query without SET ROLE.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aurum_app') THEN
        CREATE ROLE aurum_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by another migrator (another schema or database)
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aurum_worker') THEN
        CREATE ROLE aurum_worker NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE TABLE scenario (
    id          uuid PRIMARY KEY,
    tenant_id   text COLLATE "C" NOT NULL,
    name        text NOT NULL,
    unique_key  text COLLATE "C" NOT NULL,
    description text,
    status      text COLLATE "C" NOT NULL
                CHECK (status IN ('created', 'active', 'archived', 'deleted')),
    assumptions jsonb NOT NULL DEFAULT '[]',
    parameters  jsonb NOT NULL DEFAULT '{}',
    tags        text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint NOT NULL CHECK (version >= 1)
);
-- Names are unique per tenant by slug among scenarios that are not (soft-)deleted.
CREATE UNIQUE INDEX scenario_unique_key ON scenario (tenant_id, unique_key)
    WHERE status <> 'deleted';
-- The list order: newest first, id as the tie-breaker.
CREATE INDEX scenario_list ON scenario (tenant_id, created_at DESC, id DESC);

CREATE TABLE scenario_run (
    id               uuid PRIMARY KEY,
    scenario_id      uuid NOT NULL REFERENCES scenario (id) ON DELETE CASCADE,
    tenant_id        text COLLATE "C" NOT NULL,
    status           text COLLATE "C" NOT NULL
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled',
                                       'timeout')),
    priority         text COLLATE "C" NOT NULL
                     CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    priority_rank    smallint GENERATED ALWAYS AS (
                         CASE priority WHEN 'critical' THEN 3 WHEN 'high' THEN 2
                                       WHEN 'normal' THEN 1 ELSE 0 END) STORED,
    input_hash       text COLLATE "C" NOT NULL,
    run_key          text COLLATE "C" NOT NULL UNIQUE,
    attempt          integer NOT NULL CHECK (attempt >= 0),
    retry_count      integer NOT NULL CHECK (retry_count >= 0),
    max_retries      integer NOT NULL CHECK (max_retries >= 0),
    queued_at        timestamptz NOT NULL,
    started_at       timestamptz,
    completed_at     timestamptz,
    cancelled_at     timestamptz,
    duration_seconds double precision,
    error_message    text,
    progress_percent double precision NOT NULL DEFAULT 0,
    timeout_minutes  integer NOT NULL CHECK (timeout_minutes >= 0),
    asof_date        date,
    curve_keys       text[] NOT NULL DEFAULT '{}',
    idempotency_key  text COLLATE "C",
    -- queue bookkeeping
    lease_owner      text,
    lease_until      timestamptz,
    not_before       timestamptz,
    traceparent      text
);
-- A client's idempotency key names one run per tenant.
CREATE UNIQUE INDEX scenario_run_idempotency ON scenario_run (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- Claim order: highest priority, then oldest, among queued runs only.
CREATE INDEX scenario_run_claim ON scenario_run (priority_rank DESC, queued_at, id)
    WHERE status = 'queued';
-- Expired-lease sweep.
CREATE INDEX scenario_run_lease ON scenario_run (lease_until) WHERE status = 'running';
-- Runs of a scenario, newest first.
CREATE INDEX scenario_run_list ON scenario_run (scenario_id, queued_at DESC, id DESC);

CREATE TABLE scenario_output (
    run_id         uuid NOT NULL REFERENCES scenario_run (id) ON DELETE CASCADE,
    tenant_id      text COLLATE "C" NOT NULL,
    scenario_id    uuid NOT NULL,
    asof_date      date NOT NULL,
    curve_key      text COLLATE "C" NOT NULL,
    tenor_type     text COLLATE "C" NOT NULL,
    contract_month date NOT NULL,
    tenor_label    text COLLATE "C" NOT NULL,
    metric         text COLLATE "C" NOT NULL,
    value          double precision NOT NULL,
    band_lower     double precision NOT NULL,
    band_upper     double precision NOT NULL,
    attribution    jsonb NOT NULL DEFAULT '[]',
    version_hash   text COLLATE "C" NOT NULL,
    computed_at    timestamptz NOT NULL,
    -- Re-executing a run replaces its rows, never duplicates them; also the page order.
    PRIMARY KEY (run_id, curve_key, tenor_type, tenor_label, metric)
);
CREATE INDEX scenario_output_latest
    ON scenario_output (scenario_id, metric, tenor_label, curve_key, computed_at DESC);

CREATE TABLE outbox (
    id              uuid PRIMARY KEY,               -- the consumer's dedup key
    seq             bigint GENERATED ALWAYS AS IDENTITY, -- append order among equal created_at
    topic           text NOT NULL,
    key             text NOT NULL,
    payload         jsonb NOT NULL,
    traceparent     text,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text,
    delivered_at    timestamptz,
    dead_at         timestamptz,
    lease_until     timestamptz                     -- hidden from other relays until then
);
CREATE INDEX outbox_due ON outbox (created_at, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead ON outbox (created_at, seq) WHERE dead_at IS NOT NULL;

CREATE TABLE idempotency_key (
    tenant_id   text COLLATE "C" NOT NULL,
    key         text COLLATE "C" NOT NULL,
    fingerprint text COLLATE "C" NOT NULL,
    state       text COLLATE "C" NOT NULL CHECK (state IN ('started', 'completed')),
    status      integer,
    headers     jsonb,
    body        bytea,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

-- Row-level security on every tenant table.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scenario', 'scenario_run', 'scenario_output', 'idempotency_key']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (tenant_id = current_setting(''app.current_tenant'', true)) '
            'WITH CHECK (tenant_id = current_setting(''app.current_tenant'', true))', t);
    END LOOP;
END
$$;
-- The queue worker works across tenants (policies are permissive: either one admits a row).
CREATE POLICY worker_all ON scenario TO aurum_worker USING (true) WITH CHECK (true);
CREATE POLICY worker_all ON scenario_run TO aurum_worker USING (true) WITH CHECK (true);
CREATE POLICY worker_all ON scenario_output TO aurum_worker USING (true) WITH CHECK (true);

-- Privileges of the two roles in this schema.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO aurum_app, aurum_worker', current_schema());
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON scenario, scenario_run, scenario_output, idempotency_key
    TO aurum_app;
GRANT INSERT ON outbox TO aurum_app;
GRANT SELECT ON scenario TO aurum_worker;
GRANT SELECT, UPDATE ON scenario_run TO aurum_worker;
GRANT SELECT, INSERT, DELETE ON scenario_output TO aurum_worker;
GRANT SELECT, INSERT, UPDATE ON outbox TO aurum_worker;

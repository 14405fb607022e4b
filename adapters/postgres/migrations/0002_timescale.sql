-- TimescaleDB when it is installed and preloaded: curve_observation becomes a hypertable on
-- asof_date. On plain PostgreSQL this migration does nothing.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
       AND current_setting('shared_preload_libraries', true) LIKE '%timescaledb%' THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('curve_observation', 'asof_date',
                                  chunk_time_interval => INTERVAL '30 days',
                                  migrate_data => true, if_not_exists => true);
    END IF;
END
$$;

-- Joins the Citus workers to the coordinator and makes the platform's shared tables
-- reference tables (docker compose --profile citus run --rm citus-setup). Idempotent: run
-- it once the cluster is up, and again after `migrate_all_schemas` created the public
-- tables. Marketplace schemas need nothing here: with citus.enable_schema_based_sharding
-- every CREATE SCHEMA (provisioning, the spare pool) is a distributed schema already.
-- Written for Citus 12.1; not exercised by the test suite (see docs/scaling.md).

SELECT citus_set_coordinator_host('citus', 5432);
SELECT citus_add_node('citus-worker-1', 5432);
SELECT citus_add_node('citus-worker-2', 5432);

-- The no-double-booking constraint's operator classes, on every node.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Shared tables (tenants, domains, users, memberships, Django's own) become reference
-- tables: a copy on every worker, so a marketplace table's foreign key to accounts_user
-- stays a local check on its worker. A table whose referenced table is not converted yet
-- fails and is retried on the next pass.
DO $body$
DECLARE
    candidate regclass;
    progress boolean := true;
BEGIN
    WHILE progress LOOP
        progress := false;
        FOR candidate IN
            SELECT c.oid::regclass
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND c.oid NOT IN (SELECT logicalrelid FROM pg_dist_partition)
        LOOP
            BEGIN
                PERFORM create_reference_table(candidate);
                progress := true;
            EXCEPTION WHEN others THEN
                RAISE NOTICE 'later: % (%)', candidate, SQLERRM;
            END;
        END LOOP;
    END LOOP;
END
$body$;

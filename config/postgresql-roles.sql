-- PostgreSQL roles for telehealthd: an owner that holds the schema and runs
-- migrations, and the role the daemon serves with, which may only read and
-- append to the audit tables (no UPDATE, DELETE or TRUNCATE there), so a
-- compromised daemon cannot rewrite the audit trail. The append-only
-- triggers stay in place as well; only the owner or a superuser can disable
-- them.
--
-- Run it with psql as a superuser (or a role with CREATEROLE that owns the
-- database), in the telehealthd database, twice:
--
--   1. Before the first start, to create the roles and hand the database to
--      the owner:
--        psql -d telehealth -f postgresql-roles.sql
--   2. Start telehealthd once connected as the owner role
--      (storage.url = "postgresql://telehealth_owner@HOST/telehealth"): it
--      creates the schema at start-up; stop it once `thctl status` answers.
--   3. Run this script again, which now finds the tables and grants the
--      daemon role its rights on them.
--   4. Configure telehealthd with the daemon role and start it for good
--      (storage.url = "postgresql://telehealthd@HOST/telehealth").
--
-- After an upgrade that brings new migrations, repeat steps 2 and 3: the
-- daemon role cannot change the schema, and the grants below cover only the
-- tables that exist when the script runs (new tables stay out of its reach,
-- which fails loudly rather than silently granting too much).
--
-- The role names can be chosen with psql variables:
--   psql -v owner_role=clinic_owner -v daemon_role=clinic_daemon -f ...
-- Passwords are not set here; use ALTER ROLE ... PASSWORD, or peer or
-- certificate authentication, as the site's pg_hba.conf requires.
--
-- The script is idempotent: running it again changes nothing that is
-- already as it should be.

\set ON_ERROR_STOP on
\if :{?owner_role}
\else
  \set owner_role telehealth_owner
\endif
\if :{?daemon_role}
\else
  \set daemon_role telehealthd
\endif

SELECT format('CREATE ROLE %I LOGIN', :'owner_role')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'daemon_role')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'daemon_role') \gexec

-- The owner holds the database, and with it (PostgreSQL 15 and later) the
-- public schema where the migrations create the tables.
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner_role') \gexec
ALTER SCHEMA public OWNER TO :"owner_role";
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'daemon_role') \gexec
GRANT USAGE ON SCHEMA public TO :"daemon_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Ordinary rights on every table that exists now, and on the sequences
-- behind identity columns.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"daemon_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"daemon_role";

-- The audit trail: read and append only.
SELECT format('REVOKE ALL ON TABLE %I FROM %I', name, :'daemon_role'),
       format('GRANT SELECT, INSERT ON TABLE %I TO %I', name, :'daemon_role')
  FROM (VALUES ('audit_events'), ('audit_event_patients'), ('audit_checkpoints')) AS audit(name)
  WHERE to_regclass(name) IS NOT NULL \gexec

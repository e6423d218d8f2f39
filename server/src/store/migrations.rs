//! Versioned schema migrations, applied at start-up inside one transaction each.
//!
//! The version lives in SQLite's `PRAGMA user_version`. A migration is never
//! edited once released: later changes append a new one.

use rusqlite::Connection;

use super::StoreError;

/// Each entry moves the schema from version `index` to `index + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    V1_DOMAIN,
    V2_CARD_LOGIN,
    V3_QUERY_QUEUE,
    V4_LIFECYCLE,
    V5_REPORTS,
    V6_EID_REVOCATION,
    V7_PEOPLE_AND_EVIDENCE,
    V8_CASES,
    V8_TICKETS,
    V8_KIOSK_PROGRAMMES,
    V11_NODES,
];

/// Issue 15: the registry version each job ran against, the versions
/// `registry import` published (the last is current) and each node's
/// heartbeat with the registry version it holds.
const V11_NODES: &str = r#"
ALTER TABLE query_jobs ADD COLUMN registry_version TEXT;
CREATE TABLE registry_publications (
    seq           INTEGER PRIMARY KEY,
    version       TEXT NOT NULL,
    persons       INTEGER NOT NULL,
    source        TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    node          TEXT NOT NULL,
    published_at  TEXT NOT NULL
);
CREATE TABLE nodes (
    node              TEXT PRIMARY KEY,
    host              TEXT NOT NULL,
    registry_version  TEXT,
    started_at        TEXT NOT NULL,
    last_seen         TEXT NOT NULL
);
"#;

/// Issue 17: the social programmes an institution's agreement covers (the
/// registry admin records them); users and query rows are checked against
/// them, and the kiosk lists them.
const V8_KIOSK_PROGRAMMES: &str = r#"
CREATE TABLE agreement_programmes (
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    programme       TEXT NOT NULL,
    set_at          TEXT NOT NULL,
    PRIMARY KEY (institution_id, programme)
);
"#;

/// The domain as `DOMAIN.md` describes it: institutions under agreements,
/// their coordinators and users, add/remove requests, enrolled workstations,
/// and the hash-chained audit log.
const V1_DOMAIN: &str = r#"
CREATE TABLE institutions (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'ACTIVE'
                   CHECK (status IN ('ACTIVE', 'INACTIVE', 'CANCELLED')),
    -- Why the institution is inactive or cancelled, e.g. PAYMENT, BREACH,
    -- AGREEMENT_EXPIRED, NO_QUERIES_90_DAYS; NULL while active.
    status_cause   TEXT,
    status_note    TEXT,
    status_since   TEXT NOT NULL,
    last_query_at  TEXT,
    created_at     TEXT NOT NULL
);

CREATE TABLE agreements (
    id              INTEGER PRIMARY KEY,
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    service_cui     INTEGER NOT NULL DEFAULT 1 CHECK (service_cui IN (0, 1)),
    service_names   INTEGER NOT NULL DEFAULT 1 CHECK (service_names IN (0, 1)),
    monthly_quota   INTEGER CHECK (monthly_quota IS NULL OR monthly_quota > 0),
    created_at      TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX agreements_institution ON agreements(institution_id, ends_on);

-- "Every January all accesses are deactivated unless the institution asked
-- for continuity" (RENAP 5.1.8): one row per institution and year asked.
CREATE TABLE continuity_requests (
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    year            INTEGER NOT NULL,
    requested_at    TEXT NOT NULL,
    PRIMARY KEY (institution_id, year)
);

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    period          TEXT NOT NULL,           -- YYYY-MM of the consumption paid
    amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
    recorded_at     TEXT NOT NULL
);
CREATE INDEX payments_institution ON payments(institution_id, period);

-- Coordinators and legal representatives: created by a server admin on the
-- institution's written request; authenticate with their eID card.
CREATE TABLE coordinators (
    id              INTEGER PRIMARY KEY,
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    cui             TEXT NOT NULL CHECK (length(cui) = 13),
    full_name       TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'COORDINATOR'
                    CHECK (role IN ('COORDINATOR', 'LEGAL_REPRESENTATIVE')),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL,
    UNIQUE (institution_id, cui)
);

-- Operators who run queries. Personal and non-transferable.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    cui             TEXT NOT NULL CHECK (length(cui) = 13),
    full_name       TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL,
    extension       TEXT,
    department      TEXT NOT NULL,           -- dependencia
    post            TEXT NOT NULL,           -- puesto
    profile         TEXT NOT NULL DEFAULT 'OPERATOR',
    programme       TEXT NOT NULL,           -- programa social
    status          TEXT NOT NULL DEFAULT 'PENDING'
                    CHECK (status IN ('PENDING', 'ACTIVE', 'INACTIVE', 'REMOVED')),
    status_since    TEXT NOT NULL,
    removal_reason  TEXT CHECK (removal_reason IS NULL OR removal_reason IN
                    ('FUNCTIONS_CHANGED', 'EMPLOYMENT_ENDED', 'AUTHORITY_CHANGED', 'JANUARY_DEACTIVATION')),
    blocked_at      TEXT,                    -- blocked indefinitely for misuse
    block_reason    TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (institution_id, cui)
);
CREATE INDEX users_cui ON users(cui);

CREATE TABLE workstations (
    id                INTEGER PRIMARY KEY,
    institution_id    INTEGER NOT NULL REFERENCES institutions(id),
    site              TEXT NOT NULL,
    cert_serial       TEXT,
    -- SHA-256 of the certificate's DER: how a TLS peer is recognised.
    cert_fingerprint  TEXT UNIQUE,
    cert_pem          TEXT,
    not_before        TEXT,
    not_after         TEXT,
    key_origin        TEXT NOT NULL CHECK (key_origin IN ('GENERATED', 'CSR')),
    enrolled_at       TEXT NOT NULL,
    revoked_at        TEXT,
    revoke_reason     TEXT
);

-- Alta / baja / actualización requests, signed by the coordinator's card and
-- kept unchanged as evidence.
CREATE TABLE user_requests (
    id               TEXT PRIMARY KEY,        -- UUIDv4 chosen by the agent
    institution_id   INTEGER NOT NULL REFERENCES institutions(id),
    coordinator_id   INTEGER NOT NULL REFERENCES coordinators(id),
    workstation_id   INTEGER NOT NULL REFERENCES workstations(id),
    action           TEXT NOT NULL CHECK (action IN ('ADD', 'UPDATE', 'REMOVE')),
    user_cui         TEXT NOT NULL CHECK (length(user_cui) = 13),
    payload          BLOB NOT NULL,           -- the canonical bytes that were signed
    signature        BLOB NOT NULL,
    certificate      BLOB NOT NULL,
    state            TEXT NOT NULL DEFAULT 'RECEIVED'
                     CHECK (state IN ('RECEIVED', 'PROCESSING', 'DONE', 'REJECTED')),
    reject_code      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX user_requests_institution ON user_requests(institution_id, created_at);

-- Append-only: each entry carries the hash of the previous one, so an edit
-- or deletion made behind the server's back breaks the chain.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    workstation_id  INTEGER,
    action          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"#;

/// Card login and signed requests: the eID trust the admin configured,
/// single-use login nonces, sessions (stored hashed), and the state history
/// of each user request.
const V2_CARD_LOGIN: &str = r#"
CREATE TABLE eid_roots (
    id            INTEGER PRIMARY KEY,
    subject       TEXT NOT NULL,
    fingerprint   TEXT NOT NULL UNIQUE,
    der           BLOB NOT NULL,
    added_at      TEXT NOT NULL
);

CREATE TABLE eid_crls (
    id            INTEGER PRIMARY KEY,
    issuer        TEXT NOT NULL,
    fingerprint   TEXT NOT NULL UNIQUE,
    der           BLOB NOT NULL,
    this_update   TEXT NOT NULL,
    next_update   TEXT,
    added_at      TEXT NOT NULL
);

CREATE TABLE auth_nonces (
    nonce_hash      TEXT PRIMARY KEY,       -- SHA-256 of the nonce text
    workstation_id  INTEGER NOT NULL REFERENCES workstations(id),
    issued_at       TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT
);

CREATE TABLE sessions (
    token_hash        TEXT PRIMARY KEY,     -- SHA-256 of the bearer token
    workstation_id    INTEGER NOT NULL REFERENCES workstations(id),
    -- The workstation certificate the session is bound to.
    cert_fingerprint  TEXT NOT NULL,
    institution_id    INTEGER NOT NULL REFERENCES institutions(id),
    cui               TEXT NOT NULL CHECK (length(cui) = 13),
    full_name         TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('COORDINATOR', 'USER')),
    created_at        TEXT NOT NULL,
    last_seen_at      TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    ended_at          TEXT,
    end_reason        TEXT
);
CREATE INDEX sessions_person ON sessions(institution_id, cui);

CREATE TABLE user_request_states (
    request_id  TEXT NOT NULL REFERENCES user_requests(id),
    state       TEXT NOT NULL CHECK (state IN ('RECEIVED', 'PROCESSING', 'DONE', 'REJECTED')),
    at          TEXT NOT NULL
);
CREATE INDEX user_request_states_request ON user_request_states(request_id);

-- The signature algorithm, needed to re-verify stored requests in an audit.
ALTER TABLE user_requests ADD COLUMN algorithm TEXT;
"#;

/// The Consulta Social FIFO queue. The order is `seq`, assigned when the
/// upload is acknowledged; it lives in the table, not in a process, so
/// several servers can share one queue. A worker holds a job under a lease.
const V3_QUERY_QUEUE: &str = r#"
CREATE TABLE query_jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    user_cui        TEXT NOT NULL CHECK (length(user_cui) = 13),
    workstation_id  INTEGER NOT NULL REFERENCES workstations(id),
    file_name       TEXT NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('CUI', 'NAMES')),
    rows            INTEGER NOT NULL,
    upload_sha256   TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'QUEUED'
                    CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'EXPIRED')),
    progress_done   INTEGER NOT NULL DEFAULT 0,
    counts          TEXT,                    -- JSON: rows by result
    fail_code       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    worker          TEXT,
    lease_until     TEXT,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT
);
CREATE INDEX query_jobs_state ON query_jobs(state, seq);
CREATE INDEX query_jobs_owner ON query_jobs(institution_id, user_cui);
"#;

/// What the lifecycle pass has already done, so that "the first run in
/// January" happens once per year however often the pass runs.
const V4_LIFECYCLE: &str = r#"
CREATE TABLE lifecycle_marks (
    name   TEXT PRIMARY KEY,              -- e.g. 'january:2027'
    at     TEXT NOT NULL
);
"#;

/// What the reports need that the queue did not keep: the programmes a
/// workbook named (rows per programme, JSON), and who the January pass
/// deactivated, which the users table forgets once a user is added again.
const V5_REPORTS: &str = r#"
ALTER TABLE query_jobs ADD COLUMN programmes TEXT;
CREATE INDEX query_jobs_created ON query_jobs(institution_id, created_at);
CREATE TABLE january_deactivations (
    year            INTEGER NOT NULL,
    institution_id  INTEGER NOT NULL REFERENCES institutions(id),
    user_cui        TEXT NOT NULL CHECK (length(user_cui) = 13),
    full_name       TEXT NOT NULL,
    programme       TEXT NOT NULL,
    deactivated_at  TEXT NOT NULL,
    PRIMARY KEY (year, institution_id, user_cui)
);
"#;

/// Card revocation that holds (issue 12): one current CRL per issuing CA
/// (replaced only by a newer one; `eid_crls` stays as the history of every
/// accepted import), intermediate CAs, each root's purpose policy, each
/// issuer's revocation settings (CRL URL, OCSP), and the root each session's
/// card chained to, so that removing a root ends those sessions.
const V6_EID_REVOCATION: &str = r#"
CREATE TABLE eid_current_crls (
    issuer        TEXT PRIMARY KEY,     -- the issuer's name, as displayed
    fingerprint   TEXT NOT NULL,
    der           BLOB NOT NULL,
    crl_number    TEXT,                 -- decimal, when the CRL has one
    this_update   TEXT NOT NULL,
    next_update   TEXT,
    source        TEXT NOT NULL,        -- 'import' or the URL it was fetched from
    fetched_at    TEXT NOT NULL,        -- last good import or fetch
    checked_at    TEXT,                 -- last refresh attempt
    last_error    TEXT                  -- why the last attempt failed, NULL if it did not
);
-- Before V6 every imported CRL was applied: the newest per issuer is current.
INSERT INTO eid_current_crls (issuer, fingerprint, der, this_update, next_update, source, fetched_at)
SELECT c.issuer, c.fingerprint, c.der, c.this_update, c.next_update, 'import', c.added_at
FROM eid_crls c
WHERE c.id = (SELECT d.id FROM eid_crls d WHERE d.issuer = c.issuer
              ORDER BY d.this_update DESC, d.id DESC LIMIT 1);

CREATE TABLE eid_intermediates (
    id            INTEGER PRIMARY KEY,
    subject       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    fingerprint   TEXT NOT NULL UNIQUE,
    der           BLOB NOT NULL,
    added_at      TEXT NOT NULL
);

-- A documented exception for a national card without extendedKeyUsage,
-- and the certificate policy OIDs accepted (space-separated; empty: any).
ALTER TABLE eid_roots ADD COLUMN allow_no_eku INTEGER NOT NULL DEFAULT 0;
ALTER TABLE eid_roots ADD COLUMN policy_oids TEXT NOT NULL DEFAULT '';

CREATE TABLE eid_issuer_settings (
    issuer              TEXT PRIMARY KEY,
    crl_url             TEXT,
    ocsp_url            TEXT,
    ocsp_responder_der  BLOB,           -- a designated responder's certificate
    ocsp_nonce          INTEGER NOT NULL DEFAULT 1,
    ocsp_fallback       TEXT NOT NULL DEFAULT 'REFUSE' CHECK (ocsp_fallback IN ('REFUSE', 'CRL')),
    updated_at          TEXT NOT NULL
);

-- SHA-256 of the eID root the card chained to at login (NULL: unknown,
-- which removing any root ends too).
ALTER TABLE sessions ADD COLUMN eid_root_fingerprint TEXT;
"#;

/// Issue 12: blocks on the person (by CUI, registry-wide, with their
/// lifting kept), removed coordinators and legal representatives with the
/// written request and reason, the installation's identity (random, made
/// with the database) that signed requests name, and a copy of every eID
/// root ever trusted, which nothing deletes, for `audit verify`.
const V7_PEOPLE_AND_EVIDENCE: &str = r#"
CREATE TABLE person_blocks (
    id          INTEGER PRIMARY KEY,
    cui         TEXT NOT NULL CHECK (length(cui) = 13),
    cause       TEXT NOT NULL,
    blocked_at  TEXT NOT NULL,
    blocked_by  TEXT NOT NULL,
    lifted_at   TEXT,
    lifted_by   TEXT
);
-- At most one block in force per person.
CREATE UNIQUE INDEX person_blocks_in_force ON person_blocks(cui) WHERE lifted_at IS NULL;
-- Blocks recorded on user rows before blocks were on the person.
INSERT INTO person_blocks (cui, cause, blocked_at, blocked_by)
    SELECT cui, coalesce(max(block_reason), ''), min(blocked_at), 'migration'
    FROM users WHERE blocked_at IS NOT NULL GROUP BY cui;

ALTER TABLE coordinators ADD COLUMN removed_at TEXT;
ALTER TABLE coordinators ADD COLUMN removal_reference TEXT;
ALTER TABLE coordinators ADD COLUMN removal_reason TEXT;
ALTER TABLE coordinators ADD COLUMN designation_reference TEXT;

CREATE TABLE installation (
    id          TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO installation (id, created_at)
    VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
CREATE TRIGGER installation_no_update BEFORE UPDATE ON installation
BEGIN SELECT RAISE(ABORT, 'the installation id never changes'); END;

CREATE TABLE evidence_roots (
    fingerprint       TEXT PRIMARY KEY,
    subject           TEXT NOT NULL,
    der               BLOB NOT NULL,
    first_trusted_at  TEXT NOT NULL
);
INSERT INTO evidence_roots (fingerprint, subject, der, first_trusted_at)
    SELECT fingerprint, subject, der, added_at FROM eid_roots;
CREATE TRIGGER evidence_roots_no_update BEFORE UPDATE ON evidence_roots
BEGIN SELECT RAISE(ABORT, 'evidence_roots is append-only'); END;
CREATE TRIGGER evidence_roots_no_delete BEFORE DELETE ON evidence_roots
BEGIN SELECT RAISE(ABORT, 'evidence_roots is append-only'); END;
"#;

/// Follow-up cases (issue 18): unresolved rows of a finished job sent by a
/// coordinator, signed with the card. The signed bytes are kept as
/// received (they hold the locating data); `purged_at` marks a closed case
/// whose personal data the retention sweep deleted (payload emptied, the
/// rows' query text blanked; hashes stay in the audit entry).
const V8_CASES: &str = r#"
CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    institution_id   INTEGER NOT NULL REFERENCES institutions(id),
    job_id           TEXT NOT NULL,
    coordinator_cui  TEXT NOT NULL CHECK (length(coordinator_cui) = 13),
    workstation_id   INTEGER NOT NULL REFERENCES workstations(id),
    state            TEXT NOT NULL DEFAULT 'RECIBIDO'
                     CHECK (state IN ('RECIBIDO', 'EN_PROCESO', 'CERRADO')),
    payload          BLOB NOT NULL,
    algorithm        TEXT NOT NULL,
    signature        BLOB NOT NULL,
    certificate      BLOB NOT NULL,
    received_at      TEXT NOT NULL,
    in_process_at    TEXT,
    closed_at        TEXT,
    purged_at        TEXT
);
CREATE INDEX cases_institution ON cases(institution_id, received_at);
CREATE TABLE case_rows (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    fila         INTEGER NOT NULL,
    referencia   TEXT NOT NULL,
    resultado    TEXT NOT NULL CHECK (resultado IN ('NO_ENCONTRADO', 'AMBIGUO')),
    consulta     TEXT NOT NULL,
    outcome      TEXT CHECK (outcome IN ('VERIFIED', 'NOT_FOUND', 'VISIT_NEEDED')),
    outcome_cui  TEXT CHECK (outcome_cui IS NULL OR length(outcome_cui) = 13),
    note         TEXT,
    updated_at   TEXT,
    PRIMARY KEY (case_id, fila)
);
"#;

/// The service desk (issue 18): tickets and the record of their messages.
const V8_TICKETS: &str = r#"
CREATE TABLE tickets (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id   INTEGER NOT NULL REFERENCES institutions(id),
    author_cui       TEXT NOT NULL CHECK (length(author_cui) = 13),
    author_name      TEXT NOT NULL,
    author_role      TEXT NOT NULL CHECK (author_role IN ('USER', 'COORDINATOR')),
    workstation_id   INTEGER NOT NULL REFERENCES workstations(id),
    kind             TEXT NOT NULL CHECK (kind IN ('DUDA', 'INCIDENTE', 'MEJORA')),
    subject          TEXT NOT NULL,
    agent_version    TEXT NOT NULL,
    about            TEXT,
    state            TEXT NOT NULL DEFAULT 'RECIBIDO'
                     CHECK (state IN ('RECIBIDO', 'EN_PROCESO', 'RESUELTO', 'CERRADO')),
    created_at       TEXT NOT NULL,
    first_reply_at   TEXT,
    resolved_at      TEXT,
    closed_at        TEXT,
    author_seen_at   TEXT
);
CREATE INDEX tickets_institution ON tickets(institution_id, created_at);
CREATE TABLE ticket_messages (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    author     TEXT NOT NULL,
    side       TEXT NOT NULL CHECK (side IN ('PERSON', 'REGISTRY')),
    text       TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, seq);
"#;

/// Brings the schema up to the latest version. Idempotent.
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = MIGRATIONS.len() as u32;
    if current > latest {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported: latest,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
        tracing::info!(version = index + 1, "schema migrated");
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn from_empty_reaches_the_latest_version_with_the_domain_tables() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() as u32);
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as u32);
        let names = tables(&conn);
        for expected in [
            "agreements",
            "audit_log",
            "auth_nonces",
            "eid_crls",
            "eid_current_crls",
            "eid_intermediates",
            "eid_issuer_settings",
            "eid_roots",
            "evidence_roots",
            "installation",
            "person_blocks",
            "sessions",
            "continuity_requests",
            "coordinators",
            "institutions",
            "january_deactivations",
            "payments",
            "query_jobs",
            "user_requests",
            "users",
            "workstations",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "missing table {expected}: {names:?}"
            );
        }
    }

    #[test]
    fn rerunning_changes_nothing_and_keeps_data() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO institutions (code, name, status_since, created_at) VALUES ('MIDES', 'M', 'x', 'x')",
            [],
        )
        .unwrap();
        let before = tables(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(tables(&conn), before);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM institutions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len() + 1))
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }

    #[test]
    fn the_audit_log_refuses_updates_and_deletes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, subject, outcome, detail, prev_hash, hash)
             VALUES ('t', 'a', 'x', 's', 'ok', '{}', 'p', 'h')",
            [],
        )
        .unwrap();
        assert!(
            conn.execute("UPDATE audit_log SET outcome = 'refused'", [])
                .is_err()
        );
        assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    }

    #[test]
    fn domain_constraints_hold() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        // Unknown status, short CUI and dangling institution are all refused.
        assert!(
            conn.execute(
                "INSERT INTO institutions (code, name, status, status_since, created_at) VALUES ('A', 'A', 'SLEEPING', 'x', 'x')",
                []
            )
            .is_err()
        );
        assert!(
            conn.execute(
                "INSERT INTO coordinators (institution_id, cui, full_name, created_at) VALUES (99, '123', 'X', 'x')",
                []
            )
            .is_err()
        );
        assert!(
            conn.execute(
                "INSERT INTO coordinators (institution_id, cui, full_name, created_at) VALUES (99, '1234567890101', 'X', 'x')",
                []
            )
            .is_err()
        );
    }
}

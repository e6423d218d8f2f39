//! Every metric's name, unit and help text, in one place.

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

pub const HTTP_REQUESTS: &str = "padron_http_requests_total";
pub const HTTP_DURATION: &str = "padron_http_request_duration_seconds";
pub const HTTP_REFUSALS: &str = "padron_http_refusals_total";
pub const TLS_HANDSHAKES: &str = "padron_tls_handshakes_total";
pub const TLS_REFUSED: &str = "padron_tls_handshakes_refused_total";
pub const CONNECTIONS_REFUSED: &str = "padron_connections_refused_total";
pub const CONNECTIONS_OPEN: &str = "padron_connections_open";
pub const LOGINS: &str = "padron_logins_total";
pub const LOGIN_REFUSALS: &str = "padron_login_refusals_total";
pub const SESSIONS_OPEN: &str = "padron_sessions_open";
pub const QUEUE_DEPTH: &str = "padron_queue_depth";
pub const QUEUE_RUNNING: &str = "padron_queue_running";
pub const QUEUE_WAIT: &str = "padron_queue_wait_seconds";
pub const JOB_DURATION: &str = "padron_queue_job_duration_seconds";
pub const ROWS: &str = "padron_query_rows_total";
pub const PARSE_REFUSALS: &str = "padron_workbook_parse_refusals_total";
/// Histograms under this prefix get the database buckets.
pub const DATABASE_PREFIX: &str = "padron_database_";
pub const DATABASE_WAIT: &str = "padron_database_wait_seconds";
pub const DATABASE_HELD: &str = "padron_database_held_seconds";
pub const REGISTRY_PERSONS: &str = "padron_registry_persons";
pub const REGISTRY_IMPORT: &str = "padron_registry_import_timestamp_seconds";
pub const AUDIT_ENTRIES: &str = "padron_audit_entries";
pub const CHECKPOINT_AGE: &str = "padron_audit_checkpoint_age_seconds";
pub const CHECKPOINT_BEHIND: &str = "padron_audit_entries_since_checkpoint";
pub const BUILD_INFO: &str = "padron_build_info";

pub(super) fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "API requests answered, by method, route template and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time from a request's arrival to its response head, by method and route template."
    );
    describe_counter!(
        HTTP_REFUSALS,
        "API refusals by route template and stable error code."
    );
    describe_counter!(
        TLS_HANDSHAKES,
        "Mutual-TLS handshakes completed (new connections of enrolled workstations)."
    );
    describe_counter!(
        TLS_REFUSED,
        "TLS handshakes refused or abandoned, by reason."
    );
    describe_counter!(
        CONNECTIONS_REFUSED,
        "TCP connections closed before TLS for being over a connection cap, by cap."
    );
    describe_gauge!(CONNECTIONS_OPEN, "Connections admitted and open now.");
    describe_counter!(LOGINS, "Card logins that opened a session.");
    describe_counter!(LOGIN_REFUSALS, "Card logins refused, by error code.");
    describe_gauge!(
        SESSIONS_OPEN,
        "Sessions neither ended nor past their idle or absolute timeout."
    );
    describe_gauge!(QUEUE_DEPTH, "Query jobs waiting in the queue, by mode.");
    describe_gauge!(QUEUE_RUNNING, "Query jobs being matched now, by mode.");
    describe_histogram!(
        QUEUE_WAIT,
        Unit::Seconds,
        "Time a job waited from upload to the start of its matching, by mode."
    );
    describe_histogram!(
        JOB_DURATION,
        Unit::Seconds,
        "Time a job's matching took, by mode and outcome."
    );
    describe_counter!(ROWS, "Query rows processed, by mode and row result.");
    describe_counter!(
        PARSE_REFUSALS,
        "Workbooks the sandboxed reader refused, by error code."
    );
    describe_histogram!(
        DATABASE_WAIT,
        Unit::Seconds,
        "Time a store operation waited for the database connection."
    );
    describe_histogram!(
        DATABASE_HELD,
        Unit::Seconds,
        "Time a store operation held the database connection."
    );
    describe_gauge!(REGISTRY_PERSONS, "Persons in the imported registry.");
    describe_gauge!(
        REGISTRY_IMPORT,
        Unit::Seconds,
        "When the registry in use was imported (Unix time): the import's identity."
    );
    describe_gauge!(AUDIT_ENTRIES, "Entries in the audit chain.");
    describe_gauge!(
        CHECKPOINT_AGE,
        Unit::Seconds,
        "Seconds since the last signed audit checkpoint (absent: none written)."
    );
    describe_gauge!(
        CHECKPOINT_BEHIND,
        "Audit entries appended since the last signed checkpoint."
    );
    describe_gauge!(BUILD_INFO, "Always 1; the server's version as a label.");
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

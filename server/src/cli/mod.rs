//! Command-line interface of `padron-server` (clap).

pub mod case;
pub mod commands;
pub mod registry;
pub mod report;
pub mod ticket;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "padron-server",
    version,
    about = "Servidor de Padrón: API mTLS, almacén SQLite o PostgreSQL y administración / Padrón server: mTLS API, SQLite or PostgreSQL store, administration",
    propagate_version = true
)]
pub struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `padron_server=debug`
    /// [default: `info` for serve, `warn` for admin commands].
    #[arg(long, global = true, env = "PADRON_LOG")]
    pub log: Option<String>,
    /// Log as JSON lines even at a terminal (they are the default when
    /// stderr is not a terminal: a journal, a file, a log collector).
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The data directory every command acts on.
#[derive(Debug, Args)]
pub struct DataArg {
    /// Data directory (created by `init`).
    #[arg(long, env = "PADRON_DATA", value_name = "DIR")]
    pub data: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a data directory: database, CAs and the server's TLS certificate.
    Init {
        #[command(flatten)]
        data: DataArg,
        /// Name agents use to reach the server (in its certificate).
        #[arg(long, default_value = "localhost")]
        hostname: String,
        /// Keep the store in this PostgreSQL database
        /// (`postgresql://user@host:port/dbname`, password in
        /// `PADRON_DATABASE_PASSWORD`) instead of SQLite in the data directory.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Move a SQLite installation's store into an empty PostgreSQL database
    /// (stop `serve` first); server.toml then names the database.
    Migrate {
        /// The data directory whose padron.db is copied.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// The PostgreSQL database (`postgresql://user@host:port/dbname`).
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Serve the HTTPS API; only enrolled workstations may connect.
    Serve {
        #[command(flatten)]
        data: DataArg,
        /// Address to listen on (default: `listen` in server.toml).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Institutions under agreement.
    #[command(subcommand)]
    Institution(InstitutionCommand),
    /// Coordinators: the people who add and remove an institution's users.
    #[command(subcommand)]
    Coordinator(CoordinatorCommand),
    /// Workstations: the enrolled computers allowed to connect.
    #[command(subcommand)]
    Workstation(WorkstationCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Agreements (convenios): dates, services, quota, continuity.
    #[command(subcommand)]
    Agreement(AgreementCommand),
    /// The lifecycle pass: agreement expiry, 90 days without queries, January deactivation.
    #[command(subcommand)]
    Lifecycle(LifecycleCommand),
    /// Reports: monthly usage (xlsx with a chart), institutions approaching
    /// cancellation, users deactivated in January.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Follow-up cases of unresolved rows sent by institutions (identity verification).
    #[command(subcommand)]
    Case(crate::cli::case::CaseCommand),
    /// The service desk: tickets from institutions' people, replies, states.
    #[command(subcommand)]
    Ticket(crate::cli::ticket::TicketCommand),
    /// Payments of institutions' consumption.
    #[command(subcommand)]
    Payment(PaymentCommand),
    /// Users (operators): blocks for misuse (the same block as `person block`).
    #[command(subcommand)]
    User(UserCommand),
    /// People, registry-wide: blocks by CUI for misuse, in every institution and role.
    #[command(subcommand)]
    Person(PersonCommand),
    /// eID trust for card logins: roots and revocation lists.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// The civil registry: generate a synthetic one, import it, show statistics.
    #[command(subcommand)]
    Registry(crate::cli::registry::RegistryCommand),
    /// Back up the data directory while the server serves: a consistent copy
    /// of the database, server.toml, pki/ and the queries' files (not the
    /// civil registry unless --with-registry). Use --encrypt-to: a backup
    /// holds the CA keys and personal data.
    Backup {
        #[command(flatten)]
        data: DataArg,
        /// The backup file to write (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Encrypt to this age public key (`age1…`, from `age-keygen`); repeatable.
        #[arg(long = "encrypt-to", value_name = "RECIPIENT")]
        encrypt_to: Vec<String>,
        /// Include the civil registry (registry.sqlite; otherwise re-import it).
        #[arg(long)]
        with_registry: bool,
    },
    /// Restore a backup into a new data directory, after checking every
    /// file's SHA-256 and the audit chain.
    Restore {
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The new data directory (must not exist, or be empty).
        #[arg(long, value_name = "NEWDIR")]
        data: PathBuf,
        /// age identity file (`AGE-SECRET-KEY-1…`) for an encrypted backup.
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
        /// The live system's `audit export` workbook: lists the revocations
        /// and blocks made after the backup, which the restore lacks.
        #[arg(long, value_name = "FILE.xlsx")]
        audit_export: Option<PathBuf>,
    },
    /// Check a data directory: file modes, clock, certificate expiry (server,
    /// CAs, workstations within 30 days), CRL freshness, free disk, database
    /// and schema version, registry. Exit status: 0 ok, 1 warnings, 2 errors.
    Doctor {
        #[command(flatten)]
        data: DataArg,
        /// Warn when less than this many MiB are free for uploads.
        #[arg(long, value_name = "MIB", default_value_t = 2048)]
        min_free_mib: u64,
    },
    /// Run a Consulta Social workbook against the registry (the queue's engine, without the queue).
    Match {
        #[command(flatten)]
        data: DataArg,
        /// Query workbook (xlsx, xls or ods).
        #[arg(long, value_name = "IN.xlsx")]
        input: PathBuf,
        /// Result workbook to write.
        #[arg(long, value_name = "OUT.xlsx")]
        output: PathBuf,
        /// Share of rows whose person is not in the registry (default: the
        /// data directory's server.toml `[matching] outside_share`, else 0.03).
        #[arg(long, value_name = "SHARE")]
        outside_share: Option<f64>,
        /// Probability a match by names must reach to be `ENCONTRADO`
        /// (default: server.toml `[matching] found_probability`, else 0.99).
        #[arg(long, value_name = "P")]
        found_probability: Option<f64>,
        /// Read the workbook in this process (same bounded reader, no .xls)
        /// instead of a sandboxed child process.
        #[arg(long)]
        in_process: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum InstitutionCommand {
    /// Register an institution.
    Add {
        #[command(flatten)]
        data: DataArg,
        /// Short code, 2–16 of A–Z, 0–9 and `-` (e.g. MIDES).
        #[arg(long)]
        code: String,
        /// Full name.
        #[arg(long)]
        name: String,
    },
    /// List institutions with their status.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Show one institution in detail.
    Show {
        #[command(flatten)]
        data: DataArg,
        /// Institution code.
        code: String,
    },
    /// Make an institution inactive: unpaid consumption of a month, or a breach of the agreement.
    Suspend {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        code: String,
        #[arg(long, value_enum)]
        reason: SuspendReason,
        /// With `--reason payment`: the unpaid month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        /// With `--reason breach`: which clause, or other particulars.
        #[arg(long)]
        note: Option<String>,
    },
    /// Lift a suspension (the admin's decision after a breach).
    Reactivate {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        code: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SuspendReason {
    /// The month's consumption is unpaid.
    Payment,
    /// A clause of the agreement was breached.
    Breach,
}

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Record a payment; it reactivates an institution suspended for payment.
    Record {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        /// The month paid, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        period: String,
        /// Amount in quetzales, e.g. 1500.00.
        #[arg(long)]
        amount: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Block a user indefinitely for misuse (in every institution); ends their sessions.
    Block {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        cui: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Lift a block.
    Unblock {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        cui: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Block a person by CUI, everywhere: no institution can add them, they
    /// cannot log in in any role, and their open sessions end at once.
    Block {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        cui: String,
        /// Why (shown with the block and kept in the audit log).
        #[arg(long)]
        cause: String,
    },
    /// Lift the block in force on a person.
    Unblock {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        cui: String,
    },
    /// Blocks in force (with `--all`, lifted ones too), with their cause.
    ListBlocks {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DesignationRole {
    /// Adds and removes the institution's users.
    Coordinator,
    /// The institution's legal representative (one in force: a new one replaces the old).
    LegalRepresentative,
}

#[derive(Debug, Subcommand)]
pub enum CoordinatorCommand {
    /// Designate a coordinator (or the legal representative) for an
    /// institution, on its written request.
    Add {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        /// The coordinator's CUI (13 digits; spaces and dashes allowed).
        #[arg(long)]
        cui: String,
        /// Full name as on the DPI.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "coordinator")]
        role: DesignationRole,
        /// The institution's written request (its reference number).
        #[arg(long, value_name = "REF")]
        request_ref: Option<String>,
    },
    /// Remove a coordinator or legal representative, on the institution's
    /// written request; their sessions end at once.
    Remove {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        #[arg(long)]
        cui: String,
        /// The institution's written request (its reference number).
        #[arg(long, value_name = "REF")]
        request_ref: String,
        /// Why (kept with the removal and in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// List coordinators.
    List {
        #[command(flatten)]
        data: DataArg,
        /// Only this institution's.
        #[arg(long)]
        institution: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorkstationCommand {
    /// Enrol a workstation and write its bundle for the agent.
    Enroll {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        /// Where the computer is (office, town).
        #[arg(long)]
        site: String,
        /// Directory to write the bundle into (created if missing; existing files are never replaced).
        #[arg(long, value_name = "BUNDLE_DIR")]
        out: PathBuf,
        /// Sign this CSR (from `padron-agent enroll-request`) instead of generating a key:
        /// the private key never leaves the workstation.
        #[arg(long, value_name = "FILE")]
        csr: Option<PathBuf>,
        /// Server URL to write into agent.toml (default: `public_url` in server.toml).
        #[arg(long, value_name = "URL")]
        server_url: Option<String>,
    },
    /// List workstations.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoke a workstation; it is refused from that moment on.
    Revoke {
        #[command(flatten)]
        data: DataArg,
        /// Workstation number (see `workstation list`).
        #[arg(long)]
        id: i64,
        /// Why (kept in the audit log).
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the latest entries.
    List {
        #[command(flatten)]
        data: DataArg,
        /// How many of the latest entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Recompute the hash chain, check every signed request against the
    /// SHA-256 its audit entry holds, re-verify its signature and its
    /// certificate's chain to a root trusted when it was signed; report the
    /// first broken entry.
    Verify {
        #[command(flatten)]
        data: DataArg,
        /// Also prove the log still extends this checkpoint (from `audit checkpoint`).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Write the head hash and entry count, signed with the server's
    /// checkpoint key, to a file to keep elsewhere (or print).
    Checkpoint {
        #[command(flatten)]
        data: DataArg,
        /// The file to write (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the audit log and the signed requests to a workbook for an auditor.
    Export {
        #[command(flatten)]
        data: DataArg,
        /// The .xlsx file to write.
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust an eID root CA (PEM or DER) for card logins and signed requests.
    AddEidRoot {
        #[command(flatten)]
        data: DataArg,
        /// The root certificate file.
        #[arg(value_name = "FILE.pem")]
        file: PathBuf,
    },
    /// Import a certificate revocation list (PEM or DER) of an eID authority.
    AddCrl {
        #[command(flatten)]
        data: DataArg,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// List trusted roots and imported CRLs.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Trust an intermediate (issuing) CA, issued by a trusted root or intermediate.
    AddIntermediate {
        #[command(flatten)]
        data: DataArg,
        #[arg(value_name = "FILE.pem")]
        file: PathBuf,
    },
    /// Stop trusting a root: the sessions of cards under it end at once.
    RemoveRoot {
        #[command(flatten)]
        data: DataArg,
        /// The root's certificate file, or its SHA-256 fingerprint (hex).
        #[arg(value_name = "FILE.pem|SHA256")]
        root: String,
    },
    /// Set a root's purpose policy for the certificates under it.
    RootPolicy {
        #[command(flatten)]
        data: DataArg,
        /// The root's certificate file, or its SHA-256 fingerprint (hex).
        #[arg(value_name = "FILE.pem|SHA256")]
        root: String,
        /// Documented exception: accept authentication certificates with no
        /// extendedKeyUsage (a national card that lacks it).
        #[arg(long)]
        allow_no_eku: bool,
        /// Accept only certificates with one of these policy OIDs (repeatable).
        #[arg(long = "policy", value_name = "OID")]
        policies: Vec<String>,
    },
    /// Set how revocation of one issuer's certificates is checked.
    Issuer {
        #[command(flatten)]
        data: DataArg,
        /// The issuer's certificate (a trusted root or intermediate).
        #[arg(value_name = "FILE.pem")]
        issuer: PathBuf,
        /// Fetch this issuer's CRL from here (instead of the distribution points).
        #[arg(long, value_name = "URL")]
        crl_url: Option<String>,
        /// A designated OCSP responder (instead of the certificates' AIA).
        #[arg(long, value_name = "URL")]
        ocsp_url: Option<String>,
        /// The designated responder's certificate, trusted directly.
        #[arg(long, value_name = "FILE.pem")]
        ocsp_responder: Option<PathBuf>,
        /// Send no nonce (for a responder that does not support one).
        #[arg(long)]
        no_nonce: bool,
        /// When the responder does not answer: `refuse` (default) or `crl`.
        #[arg(long, value_name = "refuse|crl", default_value = "refuse")]
        ocsp_unavailable: String,
    },
    /// Fetch the CRLs now (what `serve` does periodically).
    RefreshCrls {
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Record an institution's agreement (the latest one is in force).
    Set {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
        /// Rows per month the institution may query.
        #[arg(long)]
        monthly_quota: Option<i64>,
        /// Services: cui, names, or both (`cui,names`).
        #[arg(long, default_value = "cui,names")]
        services: String,
    },
    /// Extend the agreement in force to a new end date; reinstates a cancelled institution.
    Renew {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
    },
    /// Record that the institution asked for continuity of its users in a year.
    Continuity {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        #[arg(long)]
        year: i32,
    },
    /// Set the social programmes the agreement covers (replaces the list;
    /// none given: any programme is accepted). Users and query rows must
    /// name one of them; the kiosk offers them as a list.
    Programmes {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        institution: String,
        /// One programme (repeat for each).
        #[arg(long = "programme", value_name = "NAME")]
        programmes: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LifecycleCommand {
    /// Run the pass now, or as of a date (for tests and audits).
    Run {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Monthly consumption by institution and user, with a chart sheet, the
    /// institutions approaching cancellation and January's deactivations.
    Usage {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
        /// Evaluate "approaching cancellation" as of this day (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<String>,
    },
    /// Institutions with 60 days or more without queries (cancelled at 90).
    Approaching {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<String>,
    },
    /// Users the January pass of a year deactivated.
    January {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_name = "YYYY")]
        year: i32,
    },
    /// The service desk's month: tickets by kind, institution and state,
    /// time to first reply and to resolution.
    Tickets {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
}

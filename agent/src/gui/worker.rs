//! Runs the kiosk's [`Command`]s off the UI thread (a tokio runtime for the
//! network and the card, a thread blocked in pcscd for reader events) and
//! sends the results back as [`Msg`]s, waking the UI for each one. Nothing
//! here polls: the UI repaints when a message arrives.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use padron_drivers::events::{Canceller, EventWatcher};
use padron_drivers::{CardError, CertificateInfo, KeySlot};
use padron_shared::config_card::CardSettings;
use padron_shared::queries::QueryJob;
use padron_shared::{ErrorCode, Lang};

use super::state::{
    CardFacts, Command, Drive, Failure, Msg, Readers, SessionId, SessionMsg, Workbook, card, cases,
    jobs, one_query, query, report, requests, save as save_screen, tickets, users,
};
use crate::card_session::{self, SessionError};
use crate::client::{Client, ClientError};
use crate::precheck;
use crate::user_admin;

/// How often a running job or a pending request is asked about.
const FOLLOW_EVERY: Duration = Duration::from_millis(500);
/// Without pcscd there are no events to wait on; look for it again this often.
const PCSCD_RETRY: Duration = Duration::from_secs(2);

/// Sends messages to the UI and wakes it.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Msg>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbox")
    }
}

impl Outbox {
    pub fn new(tx: mpsc::Sender<Msg>, wake: impl Fn() + Send + Sync + 'static) -> Outbox {
        Outbox {
            tx,
            wake: Arc::new(wake),
        }
    }

    pub fn send(&self, msg: impl Into<Msg>) {
        if self.tx.send(msg.into()).is_ok() {
            (self.wake)();
        }
    }

    /// Sends the answer to a command of `session`, stamped with it.
    pub fn answer(&self, session: SessionId, msg: impl Into<SessionMsg>) {
        self.send(Msg::Answer {
            session,
            msg: msg.into(),
        });
    }
}

/// A failure from the card or the server, in the person's words.
pub fn failure(err: &SessionError) -> Failure {
    let tries_left = match err {
        SessionError::Card(CardError::PinIncorrect { tries_left }) => *tries_left,
        _ => None,
    };
    let mut f = match err {
        // The server's detail is in the language it was asked in; the
        // sentence for the code is ours in both.
        SessionError::Client(ClientError::Api(body)) => {
            let code = body.error_code().unwrap_or(ErrorCode::Internal);
            let detail = body.detail.clone().unwrap_or_default();
            Failure::new(
                code,
                format!("{} {detail}", code.message(Lang::Es))
                    .trim_end()
                    .to_owned(),
                format!("{} {detail}", code.message(Lang::En))
                    .trim_end()
                    .to_owned(),
            )
        }
        SessionError::Card(CardError::PinIncorrect { tries_left }) => {
            let code = ErrorCode::PinIncorrect;
            let (es, en) = match tries_left {
                Some(1) => (
                    " Le queda 1 intento antes de que se bloquee.".to_owned(),
                    " 1 try left before it blocks.".to_owned(),
                ),
                Some(n) => (
                    format!(" Le quedan {n} intentos."),
                    format!(" {n} tries left."),
                ),
                None => (String::new(), String::new()),
            };
            Failure::new(
                code,
                format!("{}{es}", code.message(Lang::Es)),
                format!("{}{en}", code.message(Lang::En)),
            )
        }
        other => Failure::new(
            other.code(),
            other.explain(Lang::Es),
            other.explain(Lang::En),
        ),
    };
    f.tries_left = tries_left;
    f
}

fn client_failure(err: ClientError) -> Failure {
    failure(&SessionError::Client(err))
}

/// The tokio side of the kiosk.
#[derive(Debug)]
pub struct Worker {
    runtime: tokio::runtime::Runtime,
    client: Arc<Mutex<Client>>,
    settings: CardSettings,
    outbox: Outbox,
    /// Cancellers of the watcher thread's pcscd contexts, to stop it at exit.
    watcher: Option<mpsc::Receiver<Canceller>>,
}

impl Worker {
    pub fn new(client: Client, settings: CardSettings, outbox: Outbox) -> std::io::Result<Worker> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("padron-gui-worker")
            .enable_all()
            .build()?;
        Ok(Worker {
            runtime,
            client: Arc::new(Mutex::new(client)),
            settings,
            outbox,
            watcher: None,
        })
    }

    fn client(&self) -> Client {
        match self.client.lock() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Starts the reader watcher: a thread blocked in pcscd that reports the
    /// readers after every change.
    pub fn watch_cards(&mut self) {
        let outbox = self.outbox.clone();
        let (tx, rx) = mpsc::channel::<Canceller>();
        let spawned = std::thread::Builder::new()
            .name("padron-card-events".into())
            .spawn(move || {
                loop {
                    let mut watcher = match EventWatcher::establish() {
                        Ok(w) => w,
                        Err(_) => {
                            outbox.send(card::Msg::Readers(Readers::NoService));
                            std::thread::sleep(PCSCD_RETRY);
                            continue;
                        }
                    };
                    if tx.send(watcher.canceller()).is_err() {
                        return;
                    }
                    outbox.send(card::Msg::Readers(Readers::Seen(watcher.readers())));
                    loop {
                        match watcher.wait(None) {
                            Ok(_) => {
                                outbox.send(card::Msg::Readers(Readers::Seen(watcher.readers())))
                            }
                            Err(CardError::WatchCancelled) => return,
                            Err(_) => {
                                // pcscd went away; find it again.
                                outbox.send(card::Msg::Readers(Readers::NoService));
                                std::thread::sleep(PCSCD_RETRY);
                                break;
                            }
                        }
                    }
                }
            });
        if spawned.is_ok() {
            self.watcher = Some(rx);
        }
    }

    /// Ends a session and waits (at most 3 s) for the server to confirm:
    /// used when the window is about to close, where a background task
    /// would die with the process.
    pub fn logout_now(&self, token: &str) {
        let client = self.client();
        let done = self.runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(3), client.logout(token)).await
        });
        if !matches!(done, Ok(Ok(()))) {
            tracing::warn!("logout at exit did not complete");
        }
    }

    /// Runs one command in the background.
    pub fn run(&self, command: Command) {
        let out = self.outbox.clone();
        let client = self.client();
        let settings = self.settings.clone();
        match command {
            Command::CheckServer { epoch, after } => {
                self.runtime.spawn(async move {
                    if let Some(delay) = after {
                        tokio::time::sleep(delay).await;
                    }
                    out.send(Msg::ServerChecked {
                        epoch,
                        result: client.whoami().await.map_err(client_failure),
                    });
                });
            }
            Command::ReadCard { card, reader } => {
                self.runtime.spawn_blocking(move || {
                    let facts = read_card(&settings, &reader);
                    out.send(card::Msg::Read { card, facts });
                });
            }
            Command::Login { card, reader, pin } => {
                self.runtime.spawn(async move {
                    let result = async {
                        let mut card = open(&settings, &reader)?;
                        card_session::login(&client, &mut card, &pin).await
                    }
                    .await;
                    // The PIN is wiped as it drops, here, in the card layer's task.
                    drop(pin);
                    out.send(card::Msg::LoggedIn {
                        card,
                        result: result.map_err(|e| failure(&e)),
                    });
                });
            }
            Command::Logout { token } => {
                self.runtime.spawn(async move {
                    if let Err(e) = client.logout(&token).await {
                        tracing::warn!(error = %e, "logout failed");
                    }
                });
            }
            Command::LoadUsers { session, token } => {
                self.runtime.spawn(async move {
                    let users = client.users(&token).await.map_err(client_failure);
                    out.answer(session, users::Msg::Loaded(users));
                });
            }
            Command::LoadRequests { session, token } => {
                self.runtime.spawn(async move {
                    let list = client.requests(&token).await.map_err(client_failure);
                    out.answer(session, requests::Msg::Loaded(list));
                });
            }
            Command::OneQuery {
                session,
                token,
                query,
            } => {
                self.runtime.spawn(async move {
                    let answer = client
                        .one_query(&token, &query)
                        .await
                        .map(Box::new)
                        .map_err(client_failure);
                    out.answer(session, one_query::Msg::Answered(answer));
                });
            }
            Command::LoadCases { session, token } => {
                self.runtime.spawn(async move {
                    let list = client.cases(&token).await.map_err(client_failure);
                    out.answer(session, cases::Msg::Loaded(list));
                });
            }
            Command::ShowCase { session, token, id } => {
                self.runtime.spawn(async move {
                    let view = client
                        .case(&token, &id)
                        .await
                        .map(Box::new)
                        .map_err(client_failure);
                    out.answer(session, cases::Msg::Shown(view));
                });
            }
            Command::LoadTickets { session, token } => {
                self.runtime.spawn(async move {
                    let list = client.tickets(&token).await.map_err(client_failure);
                    out.answer(session, tickets::Msg::Loaded(list));
                });
            }
            Command::OpenTicket {
                session,
                token,
                ticket,
            } => {
                self.runtime.spawn(async move {
                    let view = client
                        .open_ticket(&token, &ticket)
                        .await
                        .map(Box::new)
                        .map_err(client_failure);
                    out.answer(session, tickets::Msg::Sent(view));
                });
            }
            Command::ShowTicket { session, token, id } => {
                self.runtime.spawn(async move {
                    let view = client
                        .ticket(&token, id)
                        .await
                        .map(Box::new)
                        .map_err(client_failure);
                    out.answer(session, tickets::Msg::Shown(view));
                });
            }
            Command::LoadJobs { session, token } => {
                self.runtime.spawn(async move {
                    let first = padron_shared::queries::JobListParams::default();
                    let list = client.queries(&token, &first).await.map_err(client_failure);
                    out.answer(session, jobs::Msg::Loaded(list));
                });
            }
            Command::Sign {
                session,
                reader,
                pin,
                lang,
                info,
                action,
                user,
            } => {
                self.runtime.spawn(async move {
                    let result = async {
                        let mut card = open(&settings, &reader)?;
                        user_admin::sign_and_submit(
                            &client, &mut card, &pin, &info, action, user, lang,
                        )
                        .await
                    }
                    .await;
                    drop(pin);
                    out.answer(
                        session,
                        requests::Msg::Submitted(result.map_err(|e| failure(&e))),
                    );
                });
            }
            Command::FollowRequest {
                session,
                token,
                request,
            } => {
                self.runtime.spawn(async move {
                    let seen = out.clone();
                    let result = user_admin::follow_request(
                        &client,
                        &token,
                        request,
                        Duration::from_secs(120),
                        |view| seen.answer(session, requests::Msg::Update(view.clone())),
                    )
                    .await;
                    if let Err(e) = result {
                        out.answer(session, requests::Msg::Loaded(Err(client_failure(e))));
                    }
                });
            }
            Command::LoadReport {
                session,
                token,
                params,
            } => {
                self.runtime.spawn(async move {
                    let report = client
                        .user_activity(&token, &params)
                        .await
                        .map_err(client_failure);
                    out.answer(session, report::Msg::Loaded(report));
                });
            }
            Command::PickReportTarget { session, file_name } => {
                self.runtime.spawn(async move {
                    let path = rfd::AsyncFileDialog::new()
                        .set_title("Padrón")
                        .set_file_name(&file_name)
                        .add_filter("xlsx", &["xlsx"])
                        .save_file()
                        .await
                        .map(|f| f.path().to_owned());
                    out.answer(session, report::Msg::Target(path));
                });
            }
            Command::WriteReport {
                session,
                report,
                path,
            } => {
                self.runtime.spawn_blocking(move || {
                    if let Some(dir) = path.parent()
                        && !dir.exists()
                    {
                        use std::os::unix::fs::DirBuilderExt;
                        let _ = std::fs::DirBuilder::new()
                            .recursive(true)
                            .mode(0o700)
                            .create(dir);
                    }
                    let path = free_name(&path);
                    let result = crate::activity_report::write(&report, &path)
                        .map(|_| path.clone())
                        .map_err(|e| {
                            Failure::new(
                                ErrorCode::Internal,
                                format!("No se pudo guardar {}: {e}", path.display()),
                                format!("Could not save {}: {e}", path.display()),
                            )
                        });
                    out.answer(session, report::Msg::Written(result));
                });
            }
            Command::PickWorkbook { session } => {
                self.runtime.spawn(async move {
                    let picked = rfd::AsyncFileDialog::new()
                        .set_title("Padrón")
                        .add_filter("xlsx / xls / ods", &["xlsx", "xls", "ods"])
                        .pick_file()
                        .await;
                    if let Some(file) = picked {
                        out.answer(session, query::Msg::Chosen(file.path().to_owned()));
                    }
                });
            }
            Command::CheckWorkbook { session, path } => {
                self.runtime.spawn_blocking(move || {
                    out.answer(session, query::Msg::Checked(check_workbook(&path)));
                });
            }
            Command::Upload {
                session,
                token,
                name,
                bytes,
            } => {
                self.runtime.spawn(async move {
                    let result = client
                        .upload_query(&token, &name, bytes.as_ref().clone())
                        .await
                        .map_err(client_failure);
                    out.answer(session, query::Msg::Uploaded(result));
                });
            }
            Command::FollowJob { session, token, id } => {
                self.runtime.spawn(async move {
                    follow_job(&client, session, &token, &id, &out).await;
                });
            }
            Command::PickSaveTarget {
                session,
                id,
                file_name,
            } => {
                self.runtime.spawn(async move {
                    let path = rfd::AsyncFileDialog::new()
                        .set_title("Padrón")
                        .set_file_name(&file_name)
                        .add_filter("xlsx", &["xlsx"])
                        .save_file()
                        .await
                        .map(|f| f.path().to_owned());
                    out.answer(session, query::Msg::SaveTarget { id, path });
                });
            }
            Command::Download {
                session,
                token,
                id,
                path,
            } => {
                self.runtime.spawn(async move {
                    let result = match client.query_result(&token, &id).await {
                        Ok(bytes) => save(&path, &bytes),
                        Err(e) => Err(client_failure(e)),
                    };
                    out.answer(session, query::Msg::ResultSaved(result));
                });
            }
            Command::LoadAttention { session, token, id } => {
                self.runtime.spawn(async move {
                    let rows = client
                        .query_attention(&token, &id)
                        .await
                        .map_err(client_failure);
                    out.answer(session, query::Msg::Attention(rows));
                });
            }
            Command::ListDrives { session, roots } => {
                self.runtime.spawn_blocking(move || {
                    let drives = removable_drives(roots.as_deref());
                    out.answer(session, save_screen::Msg::Drives(drives));
                });
            }
            // At once, on this thread: a quitting kiosk must not exit first,
            // and a session's folder holds a few small files at most.
            Command::WipeFolder { path } => {
                if path.exists()
                    && let Err(e) = std::fs::remove_dir_all(&path)
                {
                    tracing::warn!(error = %e, "the session's folder could not be wiped");
                }
            }
            Command::PickTarget { session, what } => {
                self.runtime.spawn(async move {
                    let path = rfd::AsyncFileDialog::new()
                        .set_title("Padrón")
                        .set_file_name(what.file_name())
                        .add_filter("xlsx", &["xlsx"])
                        .save_file()
                        .await
                        .map(|f| f.path().to_owned());
                    out.answer(session, save_screen::Msg::Picked { what, path });
                });
            }
            Command::WriteTemplate {
                session,
                names,
                path,
            } => {
                self.runtime.spawn_blocking(move || {
                    let result = write_template(names, &path);
                    out.answer(session, query::Msg::TemplateSaved(result));
                });
            }
            Command::OpenFolder { path } => {
                let dir = if path.is_dir() {
                    path
                } else {
                    path.parent().map(Path::to_owned).unwrap_or(path)
                };
                // The desktop's file manager; reaped by a thread so no zombie stays.
                if let Ok(mut child) = std::process::Command::new("xdg-open")
                    .arg(&dir)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                {
                    std::thread::spawn(move || child.wait());
                }
            }
            Command::SetLang(lang) => {
                if let Ok(mut c) = self.client.lock() {
                    *c = c.with_lang(lang);
                }
            }
            // The window closes from the UI thread (app.rs).
            Command::Close => {}
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(rx) = self.watcher.take() {
            // The last one is the live context; the others are spent.
            if let Some(c) = rx.try_iter().last() {
                let _ = c.cancel();
            }
        }
    }
}

fn open(settings: &CardSettings, reader: &str) -> Result<card_session::OpenCard, SessionError> {
    let mut settings = settings.clone();
    settings.reader = Some(reader.to_owned());
    Ok(card_session::open_card(&settings)?)
}

/// What the card tells without a PIN: holder, CUI, PIN tries.
fn read_card(settings: &CardSettings, reader: &str) -> Result<CardFacts, Failure> {
    let read = || -> Result<CardFacts, SessionError> {
        let mut card = open(settings, reader)?;
        let cert = card.card.certificate(KeySlot::Authentication)?;
        let info = CertificateInfo::parse(&cert)
            .map_err(|_| CardError::CertificateInvalid(KeySlot::Authentication))?;
        let status = card.card.pin_status()?;
        Ok(CardFacts {
            reader: reader.to_owned(),
            holder: info.holder_name(),
            cui: info.cui().map(|c| c.display_grouped()),
            tries_left: status.tries_left,
            blocked: status.blocked,
        })
    };
    read().map_err(|e| failure(&e))
}

fn check_workbook(path: &Path) -> Workbook {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let check = match std::fs::metadata(path) {
        Ok(meta) if meta.len() > padron_consulta::limits::MAX_FILE_BYTES => {
            let r = precheck::Refusal::TooLarge(meta.len());
            Err(Failure::new(
                r.code(),
                r.explain(Lang::Es),
                r.explain(Lang::En),
            ))
        }
        Ok(_) => match std::fs::read(path) {
            Ok(bytes) => match precheck::check(&bytes) {
                Ok(report) => Ok((report, Arc::new(bytes))),
                Err(r) => Err(Failure::new(
                    r.code(),
                    r.explain(Lang::Es),
                    r.explain(Lang::En),
                )),
            },
            Err(e) => Err(unreadable(path, &e)),
        },
        Err(e) => Err(unreadable(path, &e)),
    };
    Workbook {
        path: path.to_owned(),
        name,
        check,
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> Failure {
    let code = ErrorCode::WorkbookUnreadable;
    Failure::new(
        code,
        format!("{} ({}: {e})", code.message(Lang::Es), path.display()),
        format!("{} ({}: {e})", code.message(Lang::En), path.display()),
    )
}

/// Writes the result next to its final name, then renames it into place, so
/// a half-written file never carries the name the person chose. A file
/// already there is kept: the new one gets ` (2)`, ` (3)`… The folder is
/// made if missing (a session's own folder, private to this account).
fn save(path: &Path, bytes: &[u8]) -> Result<PathBuf, Failure> {
    let failed = |e: std::io::Error, path: &Path| {
        Failure::new(
            ErrorCode::Internal,
            format!("No se pudo guardar {}: {e}", path.display()),
            format!("Could not save {}: {e}", path.display()),
        )
    };
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| failed(e, dir))?;
    }
    let path = free_name(path);
    let tmp: PathBuf = path.with_extension("xlsx.part");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            failed(e, &path)
        })?;
    Ok(path)
}

/// `path`, or `stem (2).ext`, `stem (3).ext`… the first that does not exist.
fn free_name(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_owned();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..1000)
        .map(|n| path.with_file_name(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.to_owned())
}

fn write_template(names: bool, path: &Path) -> Result<PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("padron-template-{}", std::process::id()));
    let tmp = dir.join("plantilla.xlsx");
    let written = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            let _ = std::fs::remove_file(&tmp);
            crate::template::write(names, None, &tmp).map_err(|e| e.to_string())
        })
        .and_then(|_| std::fs::read(&tmp).map_err(|e| e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    match written {
        Ok(bytes) => save(path, &bytes),
        Err(e) => Err(Failure::new(
            ErrorCode::Internal,
            format!("No se pudo preparar la plantilla: {e}"),
            format!("Could not prepare the template: {e}"),
        )),
    }
}

/// The removable drives plugged in: mount points under `/media/` or
/// `/run/media/` (where desktops mount USB drives). `roots`
/// (`PADRON_REMOVABLE_ROOTS`) replaces that: each folder inside one of
/// them counts as a drive (for tests, and sites that mount drives elsewhere).
pub fn removable_drives(roots: Option<&[PathBuf]>) -> Vec<Drive> {
    let mut drives: Vec<Drive> = match roots {
        Some(roots) => roots
            .iter()
            .filter_map(|root| std::fs::read_dir(root).ok())
            .flat_map(|entries| entries.flatten())
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .map(|path| Drive {
                name: drive_name(&path),
                path,
            })
            .collect(),
        None => std::fs::read_to_string("/proc/self/mounts")
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.split_whitespace().nth(1))
            // /proc/mounts escapes spaces and the like as octal.
            .map(|p| PathBuf::from(p.replace("\\040", " ")))
            .filter(|p| p.starts_with("/media/") || p.starts_with("/run/media/"))
            .map(|path| Drive {
                name: drive_name(&path),
                path,
            })
            .collect(),
    };
    drives.sort_by(|a, b| a.name.cmp(&b.name));
    drives
}

fn drive_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

async fn follow_job(client: &Client, session: SessionId, token: &str, id: &str, out: &Outbox) {
    let mut last: Option<QueryJob> = None;
    loop {
        match client.query(token, id).await {
            Ok(job) => {
                let done = !job.state.is_unfinished();
                if last.as_ref() != Some(&job) {
                    last = Some(job.clone());
                    out.answer(session, query::Msg::JobUpdate(Ok(job)));
                }
                if done {
                    return;
                }
            }
            Err(e) => {
                out.answer(session, query::Msg::JobUpdate(Err(client_failure(e))));
                return;
            }
        }
        tokio::time::sleep(FOLLOW_EVERY).await;
    }
}

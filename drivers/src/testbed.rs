//! A real PC/SC test bed for this crate's tests and other crates' end-to-end
//! tests: pcscd with vsmartcard's vpcd, and `padron-card` processes as the
//! cards in its two readers.
//!
//! pcscd and vpcd's TCP ports are one per machine, so every user of the test
//! bed first takes [`lock`], a file lock that serialises card tests across
//! test threads and processes. A test bed that cannot be set up is an error,
//! never a skip.

use std::ffi::CString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::card::ReaderInfo;
use crate::piv::driver::list_readers;

/// The reader names vpcd gives its slots start with this.
pub const VPCD_READER_PREFIX: &str = "Virtual PCD";

/// Why the card test bed could not be set up or driven.
#[derive(Debug, Error)]
pub enum TestbedError {
    /// The machine-wide lock file could not be opened or locked.
    #[error("test bed lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// An external command (pcscd, `padron-card`) failed to start or exited with an error.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line that was run.
        command: String,
        /// Its exit status and error output, or why it could not start.
        detail: String,
    },
    /// pcscd is not running or does not answer PC/SC calls.
    #[error("pcscd is not usable: {0}")]
    Pcscd(String),
    /// The vpcd slot asked for is not among the readers pcscd lists; the slot and the readers there are.
    #[error("vpcd slot {0} does not exist (readers: {1:?})")]
    NoSlot(u8, Vec<String>),
    /// A card did not appear or disappear in time; what was awaited.
    #[error("timed out: {0}")]
    Timeout(String),
}

/// The machine-wide card-test lock; released when dropped.
#[derive(Debug)]
pub struct TestbedLock {
    _file: File,
}

/// Takes the card-test lock, waiting for other card tests to finish.
pub fn lock() -> Result<TestbedLock, TestbedError> {
    let path = std::env::temp_dir().join("padron-pcscd-tests.lock");
    let err = |source| TestbedError::Lock {
        path: path.clone(),
        source,
    };
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    file.lock().map_err(err)?;
    Ok(TestbedLock { _file: file })
}

/// `packaging/dev/pcscd.sh` of this source tree.
pub fn pcscd_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/dev/pcscd.sh")
}

fn first_existing(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// OpenSC's PKCS#11 module (Debian package `opensc`).
pub fn opensc_module() -> Option<PathBuf> {
    first_existing(&[
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
        "/usr/lib64/opensc-pkcs11.so",
    ])
}

/// SoftHSM2's PKCS#11 module (Debian package `softhsm2`).
pub fn softhsm_module() -> Option<PathBuf> {
    first_existing(&[
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    ])
}

/// Runs a command, failing with its output unless it succeeds; returns stdout and stderr.
pub fn run(command: &mut Command) -> Result<String, TestbedError> {
    let shown = format!("{command:?}");
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| TestbedError::Command {
            command: shown.clone(),
            detail: e.to_string(),
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return Err(TestbedError::Command {
            command: shown,
            detail: format!("{}: {text}", out.status),
        });
    }
    Ok(text)
}

/// The vpcd readers, slot 0 first.
pub fn vpcd_readers(ctx: &pcsc::Context) -> Result<Vec<ReaderInfo>, TestbedError> {
    let mut readers: Vec<ReaderInfo> = list_readers(ctx)
        .map_err(|e| TestbedError::Pcscd(e.to_string()))?
        .into_iter()
        .filter(|r| r.name.starts_with(VPCD_READER_PREFIX))
        .collect();
    readers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(readers)
}

/// Makes sure pcscd runs with vpcd's readers, starting it with
/// `packaging/dev/pcscd.sh start` (which installs the packages if needed).
pub fn ensure_pcscd() -> Result<pcsc::Context, TestbedError> {
    let usable = || -> Option<pcsc::Context> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).ok()?;
        (vpcd_readers(&ctx).ok()?.len() >= 2).then_some(ctx)
    };
    if let Some(ctx) = usable() {
        return Ok(ctx);
    }
    run(Command::new("bash").arg(pcscd_script()).arg("start"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(ctx) = usable() {
            return Ok(ctx);
        }
        if Instant::now() > deadline {
            return Err(TestbedError::Pcscd(
                "started, but the two vpcd readers did not appear within 10 s".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `padron-card ca init`.
pub fn init_ca(padron_card: &Path, dir: &Path) -> Result<(), TestbedError> {
    run(Command::new(padron_card)
        .args(["ca", "init", "--country", "GT", "--out"])
        .arg(dir))
    .map(drop)
}

/// Runs `padron-card issue`.
pub fn issue_card(
    padron_card: &Path,
    ca: &Path,
    out: &Path,
    cui: &str,
    given: &str,
    surnames: &str,
    algorithm: &str,
) -> Result<(), TestbedError> {
    run(Command::new(padron_card)
        .args(["issue", "--ca"])
        .arg(ca)
        .args([
            "--cui",
            cui,
            "--given",
            given,
            "--surnames",
            surnames,
            "--algorithm",
            algorithm,
            "--out",
        ])
        .arg(out))
    .map(drop)
}

/// Waits until `reader` holds a card (`present`) or not.
pub fn wait_for_card(
    ctx: &pcsc::Context,
    reader: &str,
    present: bool,
    timeout: Duration,
) -> Result<(), TestbedError> {
    let name = CString::new(reader).map_err(|e| TestbedError::Pcscd(e.to_string()))?;
    let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    let deadline = Instant::now() + timeout;
    loop {
        let has_card = |s: &pcsc::ReaderState| {
            s.event_state().contains(pcsc::State::PRESENT)
                && !s.event_state().contains(pcsc::State::MUTE)
        };
        let left = deadline.saturating_duration_since(Instant::now());
        match ctx.get_status_change(left, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(TestbedError::Pcscd(e.to_string())),
        }
        if has_card(&states[0]) == present {
            return Ok(());
        }
        if left.is_zero() {
            let what = if present { "inserted" } else { "removed" };
            return Err(TestbedError::Timeout(format!(
                "card not {what} in {reader}"
            )));
        }
        states[0].sync_current_state();
    }
}

/// A `padron-card run` process: a card in a vpcd reader until dropped or removed.
pub struct VirtualCard {
    child: Option<Child>,
    ctx: pcsc::Context,
    /// The PC/SC name of the vpcd reader the card is in.
    pub reader: String,
    /// The vpcd slot number (0 or 1) of that reader.
    pub slot: u8,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("reader", &self.reader)
            .field("slot", &self.slot)
            .finish()
    }
}

impl VirtualCard {
    /// Inserts the card in `card_dir` into vpcd slot `slot` (0 or 1) and
    /// waits until pcscd reports it present.
    pub fn insert(
        padron_card: &Path,
        card_dir: &Path,
        slot: u8,
    ) -> Result<VirtualCard, TestbedError> {
        let ctx = ensure_pcscd()?;
        let readers = vpcd_readers(&ctx)?;
        let reader = readers
            .get(usize::from(slot))
            .map(|r| r.name.clone())
            .ok_or_else(|| {
                TestbedError::NoSlot(slot, readers.iter().map(|r| r.name.clone()).collect())
            })?;
        // A card left over from a failed test would make this one's insertion invisible.
        wait_for_card(&ctx, &reader, false, Duration::from_secs(5))?;
        let port = 35963 + u16::from(slot);
        let child = Command::new(padron_card)
            .args(["run", "--card"])
            .arg(card_dir)
            .args(["--vpcd", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| TestbedError::Command {
                command: "padron-card run".into(),
                detail: e.to_string(),
            })?;
        let card = VirtualCard {
            child: Some(child),
            ctx,
            reader,
            slot,
        };
        wait_for_card(&card.ctx, &card.reader, true, Duration::from_secs(10))?;
        Ok(card)
    }

    /// Pulls the card out: ends the process, which closes its vpcd connection.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Removes the card and waits until pcscd has seen it go.
    pub fn remove(mut self) -> Result<(), TestbedError> {
        self.kill();
        wait_for_card(&self.ctx, &self.reader, false, Duration::from_secs(5))
    }
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        self.kill();
        let _ = wait_for_card(&self.ctx, &self.reader, false, Duration::from_secs(5));
    }
}

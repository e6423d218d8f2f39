//! Registry staff acting on a data directory: who acts (the OS user at the
//! terminal, or the server itself for its own passes) and the audit record
//! of each action. The actions live with the rules they change
//! (`institutions::admin`, `auth::trust`, …), each an `impl Admin`.

use crate::audit::AuditRecord;
use crate::clock::{Clock, timestamp};
use crate::store::Store;

/// Who is acting at this terminal, for the audit log: the process's real
/// uid and its name in the passwd database. Never the environment
/// (`$USER`, `$SUDO_USER`), which whoever runs the command chooses.
pub fn local_actor() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => format!("admin:{}(uid {uid})", user.name),
        _ => format!("admin:uid {uid}"),
    }
}

#[derive(Debug)]
pub struct Admin<'a> {
    pub store: &'a dyn Store,
    pub clock: &'a dyn Clock,
    pub actor: String,
}

impl<'a> Admin<'a> {
    /// The admin at this terminal (the OS user), acting now.
    pub fn at_terminal(store: &'a dyn Store, clock: &'a dyn Clock) -> Admin<'a> {
        Admin {
            store,
            clock,
            actor: local_actor(),
        }
    }
}

impl Admin<'_> {
    pub(crate) fn record(
        &self,
        action: &str,
        subject: String,
        detail: serde_json::Value,
    ) -> (String, AuditRecord) {
        let at = timestamp(self.clock.now());
        let record = AuditRecord::ok(&at, &self.actor, action, subject, detail);
        (at, record)
    }
}

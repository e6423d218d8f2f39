//! [`AuthStore`] on SQLite.

use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::users::{MAX_ACTIVE_USERS, RequestAction, RequestState};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{append_audit_in, is_unique_violation};
use crate::audit::AuditRecord;
use crate::store::auth::{
    AuthStore, NewRequest, NewSession, NonceRefusal, Principal, RequestRow, RequestVerdict,
    SessionRow, StoredRequest, TrustDers, UserRow,
};
use crate::store::{SqliteStore, StoreError, names};

fn role_from(text: &str) -> Role {
    if text == "COORDINATOR" {
        Role::Coordinator
    } else {
        Role::User
    }
}

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    let role: String = r.get(5)?;
    Ok(SessionRow {
        workstation_id: r.get(0)?,
        cert_fingerprint: r.get(1)?,
        institution_id: r.get(2)?,
        cui: r.get(3)?,
        full_name: r.get(4)?,
        role: role_from(&role),
        created_at: r.get(6)?,
        last_seen_at: r.get(7)?,
        expires_at: r.get(8)?,
        ended_at: r.get(9)?,
        end_reason: r.get(10)?,
    })
}

/// The user's current row, if any: (id, status, blocked).
fn user_state(
    tx: &Transaction<'_>,
    institution_id: i64,
    cui: &str,
) -> rusqlite::Result<Option<(i64, String, bool)>> {
    tx.query_row(
        "SELECT id, status, EXISTS (SELECT 1 FROM person_blocks b WHERE b.cui = users.cui AND b.lifted_at IS NULL)
         FROM users WHERE institution_id = ?1 AND cui = ?2",
        params![institution_id, cui],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

fn set_state(
    tx: &Transaction<'_>,
    id: &str,
    state: RequestState,
    at: &str,
) -> rusqlite::Result<()> {
    let state = state.as_str();
    tx.execute(
        "UPDATE user_requests SET state = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, state, at],
    )?;
    tx.execute(
        "INSERT INTO user_request_states (request_id, state, at) VALUES (?1, ?2, ?3)",
        params![id, state, at],
    )?;
    Ok(())
}

fn person_blocked(tx: &Transaction<'_>, cui: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM person_blocks WHERE cui = ?1 AND lifted_at IS NULL)",
        [cui],
        |r| r.get(0),
    )
}

/// Applies a request to the users table; the verdict says whether it could.
fn apply(tx: &Transaction<'_>, r: &NewRequest) -> Result<RequestVerdict, StoreError> {
    let u = &r.user;
    let existing = user_state(tx, r.institution_id, &u.cui)?;
    let live = |status: &str| status == "ACTIVE" || status == "PENDING";
    let verdict = match r.action {
        RequestAction::Add => match existing {
            Some((_, _, true)) => RequestVerdict::Rejected(ErrorCode::UserBlocked),
            // A block is on the person: it follows them to an institution where they have no row yet.
            _ if person_blocked(tx, &u.cui)? => RequestVerdict::Rejected(ErrorCode::UserBlocked),
            Some((_, status, false)) if live(&status) => {
                RequestVerdict::Rejected(ErrorCode::UserExists)
            }
            _ => {
                let active: u32 = tx.query_row(
                    "SELECT count(*) FROM users WHERE institution_id = ?1 AND status IN ('ACTIVE', 'PENDING')",
                    [r.institution_id],
                    |row| row.get(0),
                )?;
                if active >= MAX_ACTIVE_USERS {
                    RequestVerdict::Rejected(ErrorCode::UserLimitReached)
                } else {
                    // A person removed earlier is re-added in place: one row per
                    // person and institution keeps the history in the requests.
                    tx.execute(
                        "INSERT INTO users (institution_id, cui, full_name, email, phone, extension, department, post,
                                            programme, status, status_since, removal_reason, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'ACTIVE', ?10, NULL, ?10)
                         ON CONFLICT (institution_id, cui) DO UPDATE SET
                             full_name = excluded.full_name, email = excluded.email, phone = excluded.phone,
                             extension = excluded.extension, department = excluded.department, post = excluded.post,
                             programme = excluded.programme, status = 'ACTIVE', status_since = excluded.status_since,
                             removal_reason = NULL",
                        params![
                            r.institution_id,
                            u.cui,
                            u.full_name.as_deref().unwrap_or_default(),
                            u.email.as_deref().unwrap_or_default(),
                            u.phone.as_deref().unwrap_or_default(),
                            u.extension,
                            u.department.as_deref().unwrap_or_default(),
                            u.post.as_deref().unwrap_or_default(),
                            u.programme.as_deref().unwrap_or_default(),
                            r.at
                        ],
                    )?;
                    RequestVerdict::Done
                }
            }
        },
        RequestAction::Update => match existing {
            Some((_, _, true)) => RequestVerdict::Rejected(ErrorCode::UserBlocked),
            Some((id, status, false)) if status != "REMOVED" => {
                tx.execute(
                    "UPDATE users SET full_name = coalesce(?2, full_name), email = coalesce(?3, email),
                            phone = coalesce(?4, phone), extension = coalesce(?5, extension),
                            department = coalesce(?6, department), post = coalesce(?7, post),
                            programme = coalesce(?8, programme)
                     WHERE id = ?1",
                    params![id, u.full_name, u.email, u.phone, u.extension, u.department, u.post, u.programme],
                )?;
                RequestVerdict::Done
            }
            _ => RequestVerdict::Rejected(ErrorCode::UserUnknown),
        },
        RequestAction::Remove => match existing {
            Some((_, _, true)) => RequestVerdict::Rejected(ErrorCode::UserBlocked),
            Some((id, status, false)) if status != "REMOVED" => {
                let reason = u.reason.map(|r| r.as_str()).unwrap_or("FUNCTIONS_CHANGED");
                tx.execute(
                    "UPDATE users SET status = 'REMOVED', status_since = ?2, removal_reason = ?3 WHERE id = ?1",
                    params![id, r.at, reason],
                )?;
                // A removed user's sessions end now, not at their timeout.
                tx.execute(
                    "UPDATE sessions SET ended_at = ?3, end_reason = 'USER_REMOVED'
                     WHERE institution_id = ?1 AND cui = ?2 AND role = 'USER' AND ended_at IS NULL",
                    params![r.institution_id, u.cui, r.at],
                )?;
                RequestVerdict::Done
            }
            _ => RequestVerdict::Rejected(ErrorCode::UserUnknown),
        },
    };
    Ok(verdict)
}

impl AuthStore for SqliteStore {
    fn add_eid_root(
        &self,
        subject: &str,
        fingerprint: &str,
        der: &[u8],
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO eid_roots (subject, fingerprint, der, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (fingerprint) DO NOTHING",
                params![subject, fingerprint, der, at],
            )?;
            // The evidence keeps every root ever trusted, whatever happens to eid_roots.
            tx.execute(
                "INSERT INTO evidence_roots (fingerprint, subject, der, first_trusted_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (fingerprint) DO NOTHING",
                params![fingerprint, subject, der, at],
            )?;
            if n > 0 {
                append_audit_in(tx, audit)?;
            }
            Ok(n > 0)
        })
    }

    fn add_eid_crl(
        &self,
        issuer: &str,
        fingerprint: &str,
        der: &[u8],
        this_update: &str,
        next_update: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO eid_crls (issuer, fingerprint, der, this_update, next_update, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (fingerprint) DO NOTHING",
                params![issuer, fingerprint, der, this_update, next_update, at],
            )?;
            if n > 0 {
                append_audit_in(tx, audit)?;
            }
            Ok(n > 0)
        })
    }

    fn eid_trust(&self) -> Result<TrustDers, StoreError> {
        let conn = self.read()?;
        let roots = conn
            .prepare("SELECT der FROM eid_roots ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<Vec<u8>>, _>>()?;
        let crls = conn
            .prepare("SELECT der FROM eid_crls ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<Vec<u8>>, _>>()?;
        Ok((roots, crls))
    }

    fn eid_trust_list(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT subject, added_at, 'ROOT' FROM eid_roots
                 UNION ALL SELECT issuer, added_at, 'CRL' FROM eid_crls ORDER BY 2",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn insert_nonce(
        &self,
        nonce_hash: &str,
        workstation_id: i64,
        issued_at: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            // Spent and long-expired nonces are kept a day for the record, then dropped.
            tx.execute("DELETE FROM auth_nonces WHERE expires_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '-1 day')", [issued_at])?;
            tx.execute(
                "INSERT INTO auth_nonces (nonce_hash, workstation_id, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![nonce_hash, workstation_id, issued_at, expires_at],
            )?;
            Ok(())
        })
    }

    fn insert_nonce_capped(
        &self,
        nonce_hash: &str,
        workstation_id: i64,
        issued_at: &str,
        expires_at: &str,
        cap: u32,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM auth_nonces WHERE expires_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '-1 day')", [issued_at])?;
            let outstanding: i64 = tx.query_row(
                "SELECT count(*) FROM auth_nonces WHERE workstation_id = ?1 AND used_at IS NULL AND expires_at > ?2",
                params![workstation_id, issued_at],
                |r| r.get(0),
            )?;
            if outstanding >= i64::from(cap) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO auth_nonces (nonce_hash, workstation_id, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![nonce_hash, workstation_id, issued_at, expires_at],
            )?;
            Ok(true)
        })
    }

    fn consume_nonce(
        &self,
        nonce_hash: &str,
        workstation_id: i64,
        now: &str,
    ) -> Result<Result<(), NonceRefusal>, StoreError> {
        self.write(|tx| {
            let row: Option<(i64, String, Option<String>)> = tx
                .query_row(
                    "SELECT workstation_id, expires_at, used_at FROM auth_nonces WHERE nonce_hash = ?1",
                    [nonce_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((owner, expires_at, used_at)) = row else {
                return Ok(Err(NonceRefusal::Unknown));
            };
            if expires_at.as_str() < now {
                return Ok(Err(NonceRefusal::Expired));
            }
            if used_at.is_some() {
                return Ok(Err(NonceRefusal::Reused));
            }
            if owner != workstation_id {
                return Ok(Err(NonceRefusal::OtherWorkstation));
            }
            tx.execute("UPDATE auth_nonces SET used_at = ?2 WHERE nonce_hash = ?1", params![nonce_hash, now])?;
            Ok(Ok(()))
        })
    }

    fn principal(&self, institution_id: i64, cui: &str) -> Result<Option<Principal>, StoreError> {
        let conn = self.read()?;
        let coordinator = conn
            .query_row(
                "SELECT full_name, active FROM coordinators WHERE institution_id = ?1 AND cui = ?2",
                params![institution_id, cui],
                |r| {
                    Ok(Principal {
                        role: Role::Coordinator,
                        full_name: r.get(0)?,
                        blocked: false,
                        active: r.get(1)?,
                        inactive_cause: None,
                    })
                },
            )
            .optional()?;
        if coordinator.as_ref().is_some_and(|c| c.active) {
            return Ok(coordinator);
        }
        let user = conn
            .query_row(
                "SELECT full_name, status = 'ACTIVE',
                        EXISTS (SELECT 1 FROM person_blocks b WHERE b.cui = users.cui AND b.lifted_at IS NULL), status,
                        coalesce(removal_reason, status), status_since FROM users
                 WHERE institution_id = ?1 AND cui = ?2",
                params![institution_id, cui],
                |r| {
                    let active: bool = r.get(1)?;
                    Ok(Principal {
                        role: Role::User,
                        full_name: r.get(0)?,
                        active,
                        blocked: r.get(2)?,
                        inactive_cause: if active {
                            None
                        } else {
                            Some((r.get(4)?, r.get(5)?))
                        },
                    })
                },
            )
            .optional()?;
        Ok(user.or(coordinator))
    }

    fn create_session(&self, s: &NewSession, audit: &AuditRecord) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, workstation_id, cert_fingerprint, institution_id, cui, full_name,
                                       role, created_at, last_seen_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
                params![
                    s.token_hash,
                    s.workstation_id,
                    s.cert_fingerprint,
                    s.institution_id,
                    s.cui,
                    s.full_name,
                    s.role.as_str(),
                    s.created_at,
                    s.expires_at
                ],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.read()?;
        Ok(conn
            .prepare_cached(
                "SELECT workstation_id, cert_fingerprint, institution_id, cui, full_name, role, created_at,
                        last_seen_at, expires_at, ended_at, end_reason
                 FROM sessions WHERE token_hash = ?1",
            )?
            .query_row([token_hash], session_from_row)
            .optional()?)
    }

    fn touch_session(&self, token_hash: &str, now: &str) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
            params![token_hash, now],
        )?;
        Ok(())
    }

    fn end_session(
        &self,
        token_hash: &str,
        reason: &str,
        now: &str,
        audit: Option<&AuditRecord>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE sessions SET ended_at = ?2, end_reason = ?3 WHERE token_hash = ?1 AND ended_at IS NULL",
                params![token_hash, now, reason],
            )?;
            if let (true, Some(audit)) = (n > 0, audit) {
                append_audit_in(tx, audit)?;
            }
            Ok(())
        })
    }

    fn users(&self, institution_id: i64) -> Result<Vec<UserRow>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT cui, full_name, email, phone, extension, department, post, programme, status, status_since,
                        EXISTS (SELECT 1 FROM person_blocks b WHERE b.cui = users.cui AND b.lifted_at IS NULL)
                 FROM users WHERE institution_id = ?1 ORDER BY status = 'REMOVED', full_name",
            )?
            .query_map([institution_id], |r| {
                Ok(UserRow {
                    cui: r.get(0)?,
                    full_name: r.get(1)?,
                    email: r.get(2)?,
                    phone: r.get(3)?,
                    extension: r.get(4)?,
                    department: r.get(5)?,
                    post: r.get(6)?,
                    programme: r.get(7)?,
                    status: r.get(8)?,
                    status_since: r.get(9)?,
                    blocked: r.get(10)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn requests(&self, institution_id: i64) -> Result<Vec<RequestRow>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT r.id, r.action, r.user_cui, r.state, r.reject_code, c.cui, r.created_at, r.updated_at
                 FROM user_requests r JOIN coordinators c ON c.id = r.coordinator_id
                 WHERE r.institution_id = ?1 ORDER BY r.created_at DESC",
            )?
            .query_map([institution_id], |r| {
                Ok(RequestRow {
                    id: r.get(0)?,
                    action: names::sqlite(r, 1)?,
                    user_cui: r.get(2)?,
                    state: names::sqlite(r, 3)?,
                    reject_code: r.get(4)?,
                    coordinator_cui: r.get(5)?,
                    created_at: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn request_exists(&self, id: &str) -> Result<bool, StoreError> {
        let conn = self.read()?;
        Ok(conn.query_row(
            "SELECT count(*) FROM user_requests WHERE id = ?1",
            [id],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    fn submit_request(
        &self,
        r: &NewRequest,
        audit: &AuditRecord,
    ) -> Result<RequestVerdict, StoreError> {
        self.write(|tx| {
            let coordinator_id: i64 = tx
                .query_row(
                    "SELECT id FROM coordinators WHERE institution_id = ?1 AND cui = ?2",
                    params![r.institution_id, r.coordinator_cui],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::Corrupt(format!("coordinator {} vanished", r.coordinator_cui)))?;
            let inserted = tx.execute(
                "INSERT INTO user_requests (id, institution_id, coordinator_id, workstation_id, action, user_cui,
                                            payload, signature, certificate, algorithm, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'RECEIVED', ?11, ?11)",
                params![
                    r.id,
                    r.institution_id,
                    coordinator_id,
                    r.workstation_id,
                    r.action.as_str(),
                    r.user.cui,
                    r.payload,
                    r.signature,
                    r.certificate,
                    r.algorithm,
                    r.at
                ],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => return Ok(RequestVerdict::Rejected(ErrorCode::RequestReplayed)),
                other => other?,
            };
            tx.execute(
                "INSERT INTO user_request_states (request_id, state, at) VALUES (?1, 'RECEIVED', ?2)",
                params![r.id, r.at],
            )?;
            set_state(tx, &r.id, RequestState::Processing, &r.at)?;
            let verdict = apply(tx, r)?;
            let mut audit = audit.clone();
            match verdict {
                RequestVerdict::Done => set_state(tx, &r.id, RequestState::Done, &r.at)?,
                RequestVerdict::Rejected(code) => {
                    set_state(tx, &r.id, RequestState::Rejected, &r.at)?;
                    tx.execute("UPDATE user_requests SET reject_code = ?2 WHERE id = ?1", params![r.id, code.as_str()])?;
                    audit.outcome = format!("refused:{}", code.as_str());
                }
            }
            append_audit_in(tx, &audit)?;
            Ok(verdict)
        })
    }

    fn stored_requests(&self) -> Result<Vec<StoredRequest>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare("SELECT id, payload, algorithm, signature, certificate FROM user_requests ORDER BY created_at")?
            .query_map([], |r| {
                Ok(StoredRequest {
                    id: r.get(0)?,
                    payload: r.get(1)?,
                    algorithm: r.get(2)?,
                    signature: r.get(3)?,
                    certificate: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

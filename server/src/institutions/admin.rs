//! Registry staff's actions on a data directory: validation, the change
//! itself and its audit entry. The CLI prints; this module decides.

use padron_shared::Cui;
use serde_json::json;

use crate::access::pki::{WorkstationCa, parse_csr};
use crate::admin::Admin;
use crate::error::ServerError;
use crate::store::{
    DesignatedRole, Designation, Institution, InstitutionStatus, KeyOrigin, NewDesignation,
    StoreError, Workstation,
};

/// Institution codes are what admins type and agents display: short,
/// unambiguous, safe in file names and certificate subjects.
pub fn validate_institution_code(code: &str) -> Result<String, ServerError> {
    let code = code.trim();
    let ok = (2..=16).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(ServerError::InstitutionCode(code.to_owned()))
    }
}

/// Names of institutions and people: trimmed, inner whitespace collapsed,
/// no control characters, at most 200 characters.
/// Two spellings of one programme: case, accents and spacing aside.
pub fn same_programme(a: &str, b: &str) -> bool {
    programme_key(a) == programme_key(b)
}

/// A programme's name for comparison: lowercase, no accents, one space.
pub fn programme_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            other => other,
        })
        .collect()
}

pub fn validate_name(name: &str) -> Result<String, ServerError> {
    let clean = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() || clean.chars().count() > 200 || clean.chars().any(char::is_control) {
        return Err(ServerError::Name);
    }
    Ok(clean)
}

fn validate_site(site: &str) -> Result<String, ServerError> {
    // The site goes into the certificate's OU, which X.509 limits to 64.
    let clean = site.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() || clean.chars().count() > 64 || clean.chars().any(char::is_control) {
        return Err(ServerError::Site);
    }
    Ok(clean)
}

/// A month as `YYYY-MM`.
fn validate_period(period: &str) -> Result<String, ServerError> {
    let p = period.trim();
    let ok = p.len() == 7
        && p.as_bytes()[4] == b'-'
        && p[..4]
            .parse::<u16>()
            .is_ok_and(|y| (2000..=2100).contains(&y))
        && p[5..].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
    if ok {
        Ok(p.to_owned())
    } else {
        Err(ServerError::Payment(format!("período {p:?}")))
    }
}

/// A date as `YYYY-MM-DD`.
pub fn validate_date(text: &str) -> Result<String, ServerError> {
    time::Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(|d| d.to_string())
    .map_err(|_| ServerError::Agreement(format!("fecha {text:?} (AAAA-MM-DD)")))
}

/// An amount in quetzales (`1500`, `1500.5`, `1500.50`) as cents.
fn parse_amount(amount: &str) -> Result<i64, ServerError> {
    let a = amount.trim().replace(',', "");
    let (whole, frac) = a.split_once('.').unwrap_or((&a, ""));
    let bad = || ServerError::Payment(format!("monto {amount:?}"));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

fn parse_cui(cui: &str) -> Result<Cui, ServerError> {
    Cui::parse(cui).map_err(|source| ServerError::Cui {
        text: cui.to_owned(),
        source,
    })
}

/// A new enrolment: the workstation and, unless it came from a CSR, its key.
#[derive(Debug)]
pub struct Enrolment {
    pub workstation: Workstation,
    pub key_pem: Option<String>,
}

impl Admin<'_> {
    pub fn add_institution(&self, code: &str, name: &str) -> Result<Institution, ServerError> {
        let code = validate_institution_code(code)?;
        let name = validate_name(name)?;
        let (at, audit) = self.record(
            "institution.add",
            format!("institution:{code}"),
            json!({ "name": name }),
        );
        Ok(self.store.add_institution(&code, &name, &at, &audit)?)
    }

    #[cfg(test)]
    pub fn add_coordinator(
        &self,
        institution: &str,
        cui: &str,
        name: &str,
    ) -> Result<crate::store::Coordinator, ServerError> {
        let cui = Cui::parse(cui).map_err(|source| ServerError::Cui {
            text: cui.to_owned(),
            source,
        })?;
        let name = validate_name(name)?;
        let (at, audit) = self.record(
            "coordinator.add",
            format!("coordinator:{cui}"),
            json!({ "institution": institution }),
        );
        Ok(self
            .store
            .add_coordinator(institution, cui, &name, &at, &audit)?)
    }

    /// Enrols a workstation. With a CSR the workstation keeps its key; without
    /// one the server generates a key for the bundle.
    pub fn enroll_workstation(
        &self,
        ca: &WorkstationCa,
        institution: &str,
        site: &str,
        csr_pem: Option<&str>,
    ) -> Result<Enrolment, ServerError> {
        let site = validate_site(site)?;
        let csr = csr_pem.map(parse_csr).transpose()?;
        let origin = if csr.is_some() {
            KeyOrigin::Csr
        } else {
            KeyOrigin::Generated
        };
        let now = self.clock.now();
        let (at, audit) = self.record(
            "workstation.enroll",
            String::new(),
            json!({ "institution": institution, "site": site, "key_origin": origin.as_str() }),
        );
        let mut key_pem = None;
        let workstation =
            self.store
                .enroll_workstation(
                    institution,
                    &site,
                    origin,
                    &at,
                    &audit,
                    &mut |id| match &csr {
                        Some(csr) => ca
                            .issue_for_csr(csr, id, institution, &site, now)
                            .map_err(|e| e.to_string()),
                        None => {
                            let (cert, key) = ca
                                .issue_with_new_key(id, institution, &site, now)
                                .map_err(|e| e.to_string())?;
                            key_pem = Some(key);
                            Ok(cert)
                        }
                    },
                )?;
        Ok(Enrolment {
            workstation,
            key_pem,
        })
    }

    /// Suspends an institution: for unpaid consumption of `period` (YYYY-MM), or a breach.
    pub fn suspend(
        &self,
        code: &str,
        breach: bool,
        period: Option<&str>,
        note: Option<&str>,
    ) -> Result<Institution, ServerError> {
        let (cause, note) = if breach {
            (
                "BREACH",
                note.map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            )
        } else {
            let period = period.ok_or(ServerError::Payment(
                "falta --period / --period is required".into(),
            ))?;
            (("PAYMENT"), Some(validate_period(period)?))
        };
        let (at, audit) = self.record(
            "institution.suspend",
            format!("institution:{code}"),
            json!({ "cause": cause, "note": note }),
        );
        Ok(self.store.set_institution_status(
            code,
            InstitutionStatus::Inactive,
            Some(cause),
            note.as_deref(),
            &at,
            &audit,
        )?)
    }

    /// Lifts a suspension by the admin's decision (the way back from a breach).
    pub fn reactivate(&self, code: &str) -> Result<Institution, ServerError> {
        let current = self
            .store
            .institution(code)?
            .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))?;
        if current.status != InstitutionStatus::Inactive {
            return Err(ServerError::StateConflict(format!(
                "{code} está {}; solo se reactiva una institución inactiva (una cancelada necesita un convenio renovado)",
                current.status.label_es()
            )));
        }
        let (at, audit) = self.record(
            "institution.reactivate",
            format!("institution:{code}"),
            json!({ "previous_cause": current.status_cause }),
        );
        Ok(self.store.set_institution_status(
            code,
            InstitutionStatus::Active,
            None,
            None,
            &at,
            &audit,
        )?)
    }

    /// Records a payment; it reactivates an institution suspended for payment.
    pub fn record_payment(
        &self,
        code: &str,
        period: &str,
        amount: &str,
    ) -> Result<Institution, ServerError> {
        let period = validate_period(period)?;
        let cents = parse_amount(amount)?;
        let (at, audit) = self.record(
            "payment.record",
            format!("institution:{code}"),
            json!({ "period": period, "amount_cents": cents }),
        );
        Ok(self
            .store
            .record_payment(code, &period, cents, &at, &audit)?)
    }

    /// Blocks a person (by CUI, registry-wide, with or without user rows)
    /// and ends their sessions at once; `false` if already blocked.
    pub fn block_person(&self, cui: &str, cause: &str) -> Result<bool, ServerError> {
        let parsed = parse_cui(cui)?;
        let cause = validate_name(cause)?;
        let (at, audit) = self.record(
            "person.block",
            format!("person:{parsed}"),
            json!({ "cause": cause }),
        );
        Ok(self
            .store
            .block_person(&parsed.to_string(), &cause, &self.actor, &at, &audit)?)
    }

    /// Lifts the block in force on a person; `false` if there was none.
    pub fn unblock_person(&self, cui: &str) -> Result<bool, ServerError> {
        let parsed = parse_cui(cui)?;
        let (at, audit) = self.record("person.unblock", format!("person:{parsed}"), json!({}));
        Ok(self
            .store
            .unblock_person(&parsed.to_string(), &self.actor, &at, &audit)?)
    }

    /// Designates a coordinator or legal representative on the
    /// institution's written request; a new legal representative replaces
    /// the one in force (returned), who loses access at once.
    pub fn designate(
        &self,
        institution: &str,
        cui: &str,
        name: &str,
        role: DesignatedRole,
        reference: Option<&str>,
    ) -> Result<(Designation, Vec<Designation>), ServerError> {
        let cui = parse_cui(cui)?;
        let name = validate_name(name)?;
        let reference = reference.map(validate_name).transpose()?;
        let action = match role {
            DesignatedRole::Coordinator => "coordinator.add",
            DesignatedRole::LegalRepresentative => "legal_representative.add",
        };
        let (at, audit) = self.record(
            action,
            format!("coordinator:{cui}"),
            json!({ "institution": institution, "role": role.as_str(), "reference": reference }),
        );
        Ok(self.store.designate(
            &NewDesignation {
                institution_code: institution,
                cui,
                full_name: &name,
                role,
                reference: reference.as_deref(),
                at: &at,
            },
            &audit,
        )?)
    }

    /// Removes a coordinator or legal representative on the institution's
    /// written request (`reference`), ending their sessions at once.
    pub fn remove_designation(
        &self,
        institution: &str,
        cui: &str,
        reference: &str,
        reason: &str,
    ) -> Result<Designation, ServerError> {
        let cui = parse_cui(cui)?;
        let reference = validate_name(reference)?;
        let reason = validate_name(reason)?;
        let (at, audit) = self.record(
            "coordinator.remove",
            format!("coordinator:{cui}"),
            json!({ "institution": institution, "reference": reference, "reason": reason }),
        );
        Ok(self.store.remove_designation(
            institution,
            &cui.to_string(),
            &reference,
            &reason,
            &at,
            &audit,
        )?)
    }

    /// Records an agreement; services is `cui`, `names` or `cui,names`.
    pub fn set_agreement(
        &self,
        code: &str,
        from: &str,
        to: &str,
        monthly_quota: Option<i64>,
        services: &str,
    ) -> Result<(), ServerError> {
        let from = validate_date(from)?;
        let to = validate_date(to)?;
        if to < from {
            return Err(ServerError::Agreement(format!("{to} < {from}")));
        }
        let services: Vec<&str> = services.split(',').map(str::trim).collect();
        if services.is_empty() || services.iter().any(|s| *s != "cui" && *s != "names") {
            return Err(ServerError::Agreement(format!("servicios {services:?}")));
        }
        if monthly_quota.is_some_and(|q| q <= 0) {
            return Err(ServerError::Agreement("cuota mensual".into()));
        }
        let agreement = crate::store::Agreement {
            institution_code: code.to_owned(),
            starts_on: from,
            ends_on: to,
            service_cui: services.contains(&"cui"),
            service_names: services.contains(&"names"),
            monthly_quota,
        };
        let (at, audit) = self.record(
            "agreement.set",
            format!("institution:{code}"),
            json!({ "from": agreement.starts_on, "to": agreement.ends_on, "quota": monthly_quota, "services": services }),
        );
        let today = self.clock.today().to_string();
        Ok(self.store.set_agreement(&agreement, &today, &at, &audit)?)
    }

    /// Extends the agreement in force.
    pub fn renew_agreement(&self, code: &str, to: &str) -> Result<(), ServerError> {
        let current = self.store.agreement(code)?.ok_or_else(|| {
            ServerError::Agreement(format!("{code} no tiene convenio / has no agreement"))
        })?;
        let services = match (current.service_cui, current.service_names) {
            (true, true) => "cui,names",
            (true, false) => "cui",
            _ => "names",
        };
        self.set_agreement(
            code,
            &current.starts_on,
            to,
            current.monthly_quota,
            services,
        )
    }

    pub fn request_continuity(&self, code: &str, year: i32) -> Result<(), ServerError> {
        if !(2000..=2100).contains(&year) {
            return Err(ServerError::Agreement(format!("año {year}")));
        }
        let (at, audit) = self.record(
            "agreement.continuity",
            format!("institution:{code}"),
            json!({ "year": year }),
        );
        Ok(self.store.request_continuity(code, year, &at, &audit)?)
    }

    /// Sets the programmes the agreement covers (names cleaned, each once).
    pub fn set_programmes(
        &self,
        code: &str,
        programmes: &[String],
    ) -> Result<Vec<String>, ServerError> {
        let mut clean = Vec::new();
        for p in programmes {
            let name = validate_name(p)?;
            if !clean.iter().any(|c: &String| same_programme(c, &name)) {
                clean.push(name);
            }
        }
        clean.sort();
        let (at, audit) = self.record(
            "agreement.programmes",
            format!("institution:{code}"),
            json!({ "programmes": clean }),
        );
        self.store.set_programmes(code, &clean, &at, &audit)?;
        Ok(clean)
    }

    pub fn revoke_workstation(&self, id: i64, reason: &str) -> Result<Workstation, ServerError> {
        let reason = reason.trim();
        let reason = if reason.is_empty() {
            "sin motivo indicado"
        } else {
            reason
        };
        let (at, audit) = self.record(
            "workstation.revoke",
            format!("workstation:{id}"),
            json!({ "reason": reason }),
        );
        Ok(self.store.revoke_workstation(id, reason, &at, &audit)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{GENESIS_HASH, verify_chain};
    use crate::clock::SystemClock;
    use crate::store::{SqliteStore, Store};

    #[test]
    fn institution_codes() {
        assert_eq!(validate_institution_code(" MIDES ").unwrap(), "MIDES");
        assert!(validate_institution_code("SOSEP-2").is_ok());
        for bad in [
            "",
            "M",
            "mides",
            "MI DES",
            "-MIDES",
            "ÑANDÚ",
            "ABCDEFGHIJKLMNOPQ",
        ] {
            assert!(validate_institution_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(
            validate_name("  Ministerio   de\tDesarrollo ").unwrap(),
            "Ministerio de Desarrollo"
        );
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(201)).is_err());
    }

    #[test]
    fn every_action_is_audited_in_one_chain() {
        let store = SqliteStore::open_in_memory().unwrap();
        let admin = Admin {
            store: &store,
            clock: &SystemClock::default(),
            actor: "admin:test".into(),
        };
        admin
            .add_institution("MIDES", "Ministerio de Desarrollo Social")
            .unwrap();
        admin
            .add_coordinator("MIDES", "1234567890101", "Ana López")
            .unwrap();
        assert!(matches!(
            admin.add_coordinator("MIDES", "1234567880101", "Ana López"),
            Err(ServerError::Cui { .. })
        ));
        assert!(
            admin
                .add_coordinator("NOPE", "1234567890101", "Ana")
                .is_err()
        );
        let entries = store.audit_entries(0, 100).unwrap();
        let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["institution.add", "coordinator.add"]);
        verify_chain(GENESIS_HASH.to_owned(), &entries).unwrap();
    }
}

//! User administration shared by the CLI (`users add|update|remove`) and the
//! kiosk: checking a user's fields before anything is signed, signing the
//! request with the card, submitting it, and following its state.

use std::time::Duration;

use padron_drivers::Pin;
use padron_shared::auth::SessionInfo;
use padron_shared::users::{RequestAction, RequestView, UserChange};
use padron_shared::{Cui, ErrorBody, ErrorCode, Lang};

use crate::card_session::{OpenCard, SessionError, sign_request};
use crate::client::{Client, ClientError};

/// A field of the user form, for saying which one is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Cui,
    FullName,
    Email,
    Phone,
    Extension,
    Department,
    Post,
    Programme,
    /// Why a user is removed.
    Reason,
}

/// What is wrong with one field, in Spanish and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: Field,
    pub es: String,
    pub en: String,
}

impl FieldProblem {
    fn new(field: Field, es: impl Into<String>, en: impl Into<String>) -> FieldProblem {
        FieldProblem {
            field,
            es: es.into(),
            en: en.into(),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        if lang == Lang::En { &self.en } else { &self.es }
    }
}

/// The server refuses names over this many characters (`NAME_INVALID`).
const MAX_TEXT_CHARS: usize = 200;

/// Whether `text` looks like an e-mail address a person can receive mail at:
/// one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn plausible_email(text: &str) -> bool {
    let text = text.trim();
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// A phone as people write it: digits with spaces, dashes, `+`, parentheses;
/// 8 to 15 digits.
pub fn plausible_phone(text: &str) -> bool {
    let text = text.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (8..=15).contains(&digits)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'))
}

/// Checks the CUI alone (every action carries one).
pub fn check_cui(text: &str) -> Result<Cui, FieldProblem> {
    Cui::parse(text)
        .map_err(|e| FieldProblem::new(Field::Cui, capitalise(&e.to_string()), e.message_en()))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every problem of a user change for `action`, in form order; empty when it
/// may be signed. `ADD` needs every field but the extension; `UPDATE` checks
/// the fields it carries; `REMOVE` needs the CUI and a reason.
pub fn check_change(action: RequestAction, user: &UserChange) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if let Err(p) = check_cui(&user.cui) {
        problems.push(p);
    }
    let required = action == RequestAction::Add;
    let mut text = |field: Field, value: &Option<String>| match value.as_deref().map(str::trim) {
        None | Some("") if required => problems.push(FieldProblem::new(
            field,
            "Este dato es obligatorio.",
            "This field is required.",
        )),
        Some(v) if v.chars().count() > MAX_TEXT_CHARS => problems.push(FieldProblem::new(
            field,
            format!("Máximo {MAX_TEXT_CHARS} caracteres."),
            format!("At most {MAX_TEXT_CHARS} characters."),
        )),
        _ => {}
    };
    text(Field::FullName, &user.full_name);
    text(Field::Email, &user.email);
    text(Field::Phone, &user.phone);
    text(Field::Department, &user.department);
    text(Field::Post, &user.post);
    text(Field::Programme, &user.programme);
    if let Some(email) = user.email.as_deref().filter(|e| !e.trim().is_empty())
        && !plausible_email(email)
    {
        problems.push(FieldProblem::new(
            Field::Email,
            "El correo no es válido (ejemplo: nombre@institucion.gob.gt).",
            "The e-mail is not valid (example: name@institution.gob.gt).",
        ));
    }
    if let Some(phone) = user.phone.as_deref().filter(|p| !p.trim().is_empty())
        && !plausible_phone(phone)
    {
        problems.push(FieldProblem::new(
            Field::Phone,
            "El teléfono debe tener de 8 a 15 dígitos.",
            "The phone needs 8 to 15 digits.",
        ));
    }
    if let Some(ext) = user.extension.as_deref().filter(|e| !e.trim().is_empty())
        && (!ext.trim().chars().all(|c| c.is_ascii_digit()) || ext.trim().len() > 10)
    {
        problems.push(FieldProblem::new(
            Field::Extension,
            "La extensión lleva de 1 a 10 dígitos.",
            "The extension has 1 to 10 digits.",
        ));
    }
    if action == RequestAction::Remove && user.reason.is_none() {
        problems.push(FieldProblem::new(
            Field::Reason,
            "Indique el motivo de la baja.",
            "Give the reason for the removal.",
        ));
    }
    problems
}

/// Checks the change, signs it with the card's signature key (the PIN is
/// verified again right before), and submits it. A change that fails the
/// local checks is refused with `CUI_INVALIDO` or `USER_FIELD_INVALID`
/// before the card is touched.
pub async fn sign_and_submit(
    client: &Client,
    card: &mut OpenCard,
    pin: &Pin,
    session: &SessionInfo,
    action: RequestAction,
    user: UserChange,
    lang: Lang,
) -> Result<RequestView, SessionError> {
    if let Some(problem) = check_change(action, &user).into_iter().next() {
        let code = if problem.field == Field::Cui {
            ErrorCode::CuiInvalid
        } else {
            ErrorCode::UserFieldInvalid
        };
        return Err(SessionError::Client(ClientError::Api(ErrorBody::new(
            code,
            lang,
            Some(problem.text(lang).to_owned()),
        ))));
    }
    let signed = sign_request(
        card,
        pin,
        session,
        action,
        user,
        time::OffsetDateTime::now_utc(),
    )?;
    Ok(client.submit(&session.token, &signed).await?)
}

/// Whether a request's state is final.
pub fn is_final(state: &str) -> bool {
    matches!(state, "DONE" | "REJECTED")
}

/// Follows a request until it is `DONE` or `REJECTED`, calling `seen` with
/// each new state; gives up (returning the last view) after `patience`.
pub async fn follow_request(
    client: &Client,
    token: &str,
    first: RequestView,
    patience: Duration,
    mut seen: impl FnMut(&RequestView),
) -> Result<RequestView, ClientError> {
    let deadline = tokio::time::Instant::now() + patience;
    let mut current = first;
    while !is_final(&current.state) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some(view) = client
            .requests(token)
            .await?
            .into_iter()
            .find(|r| r.id == current.id)
            && view.state != current.state
        {
            current = view;
            seen(&current);
        }
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use padron_shared::users::RemovalReason;

    fn pedro() -> UserChange {
        UserChange {
            cui: "9876543220101".into(),
            full_name: Some("Pedro Xol Caal".into()),
            email: Some("pedro.xol@mides.gob.gt".into()),
            phone: Some("5555 1234".into()),
            extension: None,
            department: Some("Dirección de Programas".into()),
            post: Some("Analista".into()),
            programme: Some("Bolsa Social".into()),
            reason: None,
        }
    }

    #[test]
    fn a_complete_addition_passes() {
        assert_eq!(check_change(RequestAction::Add, &pedro()), vec![]);
    }

    #[test]
    fn each_mistake_names_its_field() {
        let mut u = pedro();
        u.cui = "9876543230101".into();
        u.email = Some("pedro@".into());
        u.phone = Some("12".into());
        u.post = Some("  ".into());
        u.extension = Some("12a".into());
        let fields: Vec<Field> = check_change(RequestAction::Add, &u)
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                Field::Cui,
                Field::Post,
                Field::Email,
                Field::Phone,
                Field::Extension
            ]
        );
    }

    #[test]
    fn check_digit_errors_are_explained_in_both_languages() {
        let p = check_cui("1234567880101").unwrap_err();
        assert!(p.text(Lang::Es).contains("dígito verificador"), "{p:?}");
        assert!(p.text(Lang::En).contains("check digit"), "{p:?}");
    }

    #[test]
    fn a_removal_needs_only_the_cui_and_a_reason() {
        let mut u = UserChange {
            cui: "9876543220101".into(),
            ..Default::default()
        };
        assert_eq!(check_change(RequestAction::Remove, &u).len(), 1);
        u.reason = Some(RemovalReason::EmploymentEnded);
        assert!(check_change(RequestAction::Remove, &u).is_empty());
    }

    #[test]
    fn emails_and_phones() {
        assert!(plausible_email("a.b@mides.gob.gt"));
        for bad in ["a@b", "@b.gt", "a b@c.gt", "a@@b.gt", "a@b..gt"] {
            assert!(!plausible_email(bad), "{bad}");
        }
        assert!(plausible_phone("+502 5555-1234"));
        assert!(!plausible_phone("5555"));
        assert!(!plausible_phone("5555 1234 x9"));
    }
}

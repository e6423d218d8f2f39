//! The checks of a user change's fields: one implementation, applied by the
//! agent's form and CLI before anything is signed, and by the server when a
//! signed request arrives. A rule that lived on one side only would let the
//! two disagree (a change the form accepts and the server refuses, or worse,
//! the reverse), so neither side keeps a rule of its own.

use crate::Cui;
use crate::lang::Lang;
use crate::users::{RequestAction, UserChange};

/// A field of a user change, for saying which one is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The user's CUI.
    Cui,
    /// Full name.
    FullName,
    /// Institutional e-mail address.
    Email,
    /// Mobile phone number.
    Phone,
    /// Phone extension.
    Extension,
    /// Dependencia.
    Department,
    /// Puesto.
    Post,
    /// The social programme.
    Programme,
    /// Why a user is removed.
    Reason,
}

impl Field {
    /// The field's name on the wire (`UserChange`'s JSON key).
    pub fn key(self) -> &'static str {
        match self {
            Field::Cui => "cui",
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Extension => "extension",
            Field::Department => "department",
            Field::Post => "post",
            Field::Programme => "programme",
            Field::Reason => "reason",
        }
    }
}

/// What is wrong with one field, in Spanish and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field that is wrong.
    pub field: Field,
    /// What is wrong, in Spanish.
    pub es: String,
    /// What is wrong, in English.
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

    /// The sentence in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.es, &self.en)
    }
}

/// Names, departments, posts and programmes longer than this are refused.
pub const MAX_TEXT_CHARS: usize = 200;
/// RFC 5321's limit on a forward path.
pub const MAX_EMAIL_CHARS: usize = 254;
/// An extension is 1 to this many digits.
pub const MAX_EXTENSION_DIGITS: usize = 10;

/// Whether `text` looks like an e-mail address a person can receive mail at:
/// one `@`, a non-empty local part, a dotted domain with no empty label, no
/// spaces or control characters, at most [`MAX_EMAIL_CHARS`].
pub fn plausible_email(text: &str) -> bool {
    let text = text.trim();
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
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

impl UserChange {
    /// Every problem of this change for `action`, in form order; empty when
    /// it may be signed (agent) or applied (server). `ADD` needs every field
    /// but the extension; `UPDATE` checks the fields it carries; `REMOVE`
    /// needs the CUI and a reason, and only a removal carries a reason.
    pub fn problems(&self, action: RequestAction) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if let Err(p) = check_cui(&self.cui) {
            problems.push(p);
        }
        let required = action == RequestAction::Add;
        let mut text = |field: Field, value: &Option<String>| match value.as_deref() {
            None if required => problems.push(FieldProblem::new(
                field,
                "Este dato es obligatorio.",
                "This field is required.",
            )),
            Some(v) if v.trim().is_empty() => problems.push(if required {
                FieldProblem::new(
                    field,
                    "Este dato es obligatorio.",
                    "This field is required.",
                )
            } else {
                // An update that carries a field carries a value for it.
                FieldProblem::new(
                    field,
                    "Está vacío: escriba el dato o no lo envíe.",
                    "It is empty: type the value or leave the field out.",
                )
            }),
            Some(v) if v.chars().count() > MAX_TEXT_CHARS => problems.push(FieldProblem::new(
                field,
                format!("Máximo {MAX_TEXT_CHARS} caracteres."),
                format!("At most {MAX_TEXT_CHARS} characters."),
            )),
            Some(v) if v.chars().any(char::is_control) => problems.push(FieldProblem::new(
                field,
                "Contiene caracteres de control (tabuladores, saltos de línea).",
                "It contains control characters (tabs, line breaks).",
            )),
            _ => {}
        };
        text(Field::FullName, &self.full_name);
        text(Field::Email, &self.email);
        text(Field::Phone, &self.phone);
        text(Field::Department, &self.department);
        text(Field::Post, &self.post);
        text(Field::Programme, &self.programme);
        let given = |v: &Option<String>| v.clone().filter(|t| !t.trim().is_empty());
        if let Some(email) = given(&self.email)
            && !plausible_email(&email)
        {
            problems.push(FieldProblem::new(
                Field::Email,
                "El correo no es válido (ejemplo: nombre@institucion.gob.gt).",
                "The e-mail is not valid (example: name@institution.gob.gt).",
            ));
        }
        if let Some(phone) = given(&self.phone)
            && !plausible_phone(&phone)
        {
            problems.push(FieldProblem::new(
                Field::Phone,
                "El teléfono debe tener de 8 a 15 dígitos.",
                "The phone needs 8 to 15 digits.",
            ));
        }
        if let Some(ext) = &self.extension {
            let ext = ext.trim();
            if ext.is_empty()
                || !ext.chars().all(|c| c.is_ascii_digit())
                || ext.len() > MAX_EXTENSION_DIGITS
            {
                problems.push(FieldProblem::new(
                    Field::Extension,
                    "La extensión lleva de 1 a 10 dígitos.",
                    "The extension has 1 to 10 digits.",
                ));
            }
        }
        match (action, self.reason.is_some()) {
            (RequestAction::Remove, false) => problems.push(FieldProblem::new(
                Field::Reason,
                "Indique el motivo de la baja.",
                "Give the reason for the removal.",
            )),
            (RequestAction::Add | RequestAction::Update, true) => problems.push(FieldProblem::new(
                Field::Reason,
                "El motivo solo corresponde a una baja.",
                "A reason only applies to a removal.",
            )),
            _ => {}
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::RemovalReason;

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
        assert_eq!(pedro().problems(RequestAction::Add), vec![]);
    }

    #[test]
    fn each_mistake_names_its_field() {
        let mut u = pedro();
        u.cui = "9876543230101".into();
        u.email = Some("pedro@".into());
        u.phone = Some("12".into());
        u.post = Some("  ".into());
        u.extension = Some("12a".into());
        let fields: Vec<Field> = u
            .problems(RequestAction::Add)
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
    fn a_removal_needs_only_the_cui_and_a_reason() {
        let mut u = UserChange {
            cui: "9876543220101".into(),
            ..Default::default()
        };
        assert_eq!(u.problems(RequestAction::Remove).len(), 1);
        u.reason = Some(RemovalReason::EmploymentEnded);
        assert!(u.problems(RequestAction::Remove).is_empty());
        assert_eq!(u.problems(RequestAction::Update)[0].field, Field::Reason);
    }

    #[test]
    fn an_update_checks_only_what_it_carries() {
        let mut u = UserChange {
            cui: "9876543220101".into(),
            ..Default::default()
        };
        assert!(u.problems(RequestAction::Update).is_empty());
        u.department = Some(" ".into());
        assert_eq!(
            u.problems(RequestAction::Update)[0].field,
            Field::Department
        );
        u.department = Some("Dirección\tde Programas".into());
        assert_eq!(
            u.problems(RequestAction::Update)[0].field,
            Field::Department
        );
    }

    #[test]
    fn emails_and_phones() {
        assert!(plausible_email("a.b@mides.gob.gt"));
        let long = format!("{}@mides.gob.gt", "a".repeat(250));
        for bad in [
            "a@b", "@b.gt", "a b@c.gt", "a@@b.gt", "a@b..gt", ".a@.b.gt", "a@b.gt.", &long,
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
        assert!(plausible_phone("+502 5555-1234"));
        assert!(!plausible_phone("5555"));
        assert!(!plausible_phone("5555 1234 x9"));
    }

    #[test]
    fn check_digit_errors_are_explained_in_both_languages() {
        let p = check_cui("1234567880101").unwrap_err();
        assert!(p.text(Lang::Es).contains("dígito verificador"), "{p:?}");
        assert!(p.text(Lang::En).contains("check digit"), "{p:?}");
    }
}

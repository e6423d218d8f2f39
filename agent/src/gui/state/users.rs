//! The coordinator's users: the institution's list, the add-user form, and
//! a removal being prepared. Signing either is the [`super::requests`] screen's.

use padron_shared::auth::Role;
use padron_shared::users::{RemovalReason, RequestAction, UserChange, UserView};

use super::requests::Signing;
use super::session::{Outcome, Session};
use super::{Failure, Remote};
use crate::user_admin::{self, FieldProblem};

/// The add-user form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserForm {
    pub cui: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub extension: String,
    pub department: String,
    pub post: String,
    pub programme: String,
    /// Problems are shown for a field once it was left, or after a first
    /// attempt to sign, not while the first characters are typed.
    pub touched: Vec<user_admin::Field>,
    pub attempted: bool,
}

impl UserForm {
    pub fn change(&self) -> UserChange {
        let opt = |s: &str| Some(s.trim().to_owned());
        UserChange {
            cui: self.cui.trim().to_owned(),
            full_name: opt(&self.full_name),
            email: opt(&self.email),
            phone: opt(&self.phone),
            extension: Some(self.extension.trim().to_owned()).filter(|e| !e.is_empty()),
            department: opt(&self.department),
            post: opt(&self.post),
            programme: opt(&self.programme),
            reason: None,
        }
    }

    pub fn problems(&self) -> Vec<FieldProblem> {
        user_admin::check_change(RequestAction::Add, &self.change())
    }

    /// The problem to show under `field`, if any.
    pub fn shown_problem(&self, field: user_admin::Field) -> Option<FieldProblem> {
        if !(self.attempted || self.touched.contains(&field)) {
            return None;
        }
        self.problems().into_iter().find(|p| p.field == field)
    }
}

/// A removal being prepared: whom, and the reason picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub cui: String,
    pub name: String,
    pub reason: Option<RemovalReason>,
}

/// The users and add-user tabs' state.
#[derive(Debug, Default)]
pub struct UsersScreen {
    pub list: Remote<Vec<UserView>>,
    pub form: UserForm,
    pub removal: Option<Removal>,
}

#[derive(Debug)]
pub enum Msg {
    /// The institution's users, as the server listed them.
    Loaded(Result<Vec<UserView>, Failure>),
    FieldLeft(user_admin::Field),
    /// The documentation tour fills the form (see `capture.rs`).
    TourFill(Box<UserForm>),
    AskSignAdd,
    AskRemove {
        cui: String,
        name: String,
    },
    PickReason(RemovalReason),
    AskSignRemove,
    CancelRemoval,
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    let coordinator = s.role() == Role::Coordinator;
    let users = &mut s.users;
    match msg {
        Msg::Loaded(Ok(list)) => users.list = Remote::Loaded(list),
        Msg::Loaded(Err(f)) => {
            users.list = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::FieldLeft(field) => {
            if !users.form.touched.contains(&field) {
                users.form.touched.push(field);
            }
        }
        Msg::TourFill(form) => users.form = *form,
        Msg::AskSignAdd => {
            users.form.attempted = true;
            if coordinator && users.form.problems().is_empty() {
                s.requests.signing = Some(Signing {
                    action: RequestAction::Add,
                    user: users.form.change(),
                    busy: false,
                    error: None,
                });
            }
        }
        Msg::AskRemove { cui, name } => {
            if coordinator {
                users.removal = Some(Removal {
                    cui,
                    name,
                    reason: None,
                });
            }
        }
        Msg::PickReason(reason) => {
            if let Some(r) = &mut users.removal {
                r.reason = Some(reason);
            }
        }
        Msg::AskSignRemove => {
            if let Some(Removal {
                cui,
                reason: Some(reason),
                ..
            }) = &users.removal
            {
                s.requests.signing = Some(Signing {
                    action: RequestAction::Remove,
                    user: UserChange {
                        cui: cui.clone(),
                        reason: Some(*reason),
                        ..Default::default()
                    },
                    busy: false,
                    error: None,
                });
            }
        }
        Msg::CancelRemoval => {
            // Not under a signature on its way.
            if s.requests.signing.is_none() {
                users.removal = None;
            }
        }
    }
}

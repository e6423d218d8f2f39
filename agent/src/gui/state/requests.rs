//! The coordinator's requests: the history, the request being signed (PIN
//! prompt) and the last one signed, followed until it settles.

use padron_drivers::Pin;
use padron_shared::users::{RequestAction, RequestState, RequestView, UserChange};
use padron_shared::{ErrorCode, Lang};

use super::session::{Notice, Outcome, Session, Tab};
use super::users::UserForm;
use super::{Command, Failure, Remote};

/// A request waiting for the card's signature (PIN prompt), or being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    pub action: RequestAction,
    pub user: UserChange,
    pub busy: bool,
    pub error: Option<Failure>,
}

/// The requests tab's state, with the signature prompt.
#[derive(Debug, Default)]
pub struct RequestsScreen {
    pub list: Remote<Vec<RequestView>>,
    pub signing: Option<Signing>,
    pub followed: Option<RequestView>,
}

#[derive(Debug)]
pub enum Msg {
    /// The institution's requests, as the server listed them (or why
    /// following one failed).
    Loaded(Result<Vec<RequestView>, Failure>),
    SignWithPin(Pin),
    /// The signature PIN typed cannot be a PIN; nothing reached the card.
    PinInvalid(Failure),
    CancelSigning,
    Submitted(Result<RequestView, Failure>),
    /// The followed request changed.
    Update(RequestView),
}

pub(super) fn update(s: &mut Session, msg: Msg, lang: Lang, out: &mut Outcome) {
    match msg {
        Msg::Loaded(Ok(list)) => s.requests.list = Remote::Loaded(list),
        Msg::Loaded(Err(f)) => {
            s.requests.list = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::SignWithPin(pin) => {
            if let Some(signing) = &mut s.requests.signing
                && !signing.busy
            {
                signing.busy = true;
                signing.error = None;
                out.run(Command::Sign {
                    session: s.id,
                    reader: s.reader.clone(),
                    pin,
                    lang,
                    info: Box::new(s.info.clone()),
                    action: signing.action,
                    user: signing.user.clone(),
                });
            }
        }
        Msg::PinInvalid(failure) => {
            if let Some(signing) = &mut s.requests.signing {
                signing.error = Some(failure);
            }
        }
        Msg::CancelSigning => {
            if s.requests.signing.as_ref().is_some_and(|s| !s.busy) {
                s.requests.signing = None;
            }
        }
        Msg::Submitted(Ok(view)) => {
            let action = s.requests.signing.take().map(|s| s.action);
            s.users.removal = None;
            if action == Some(RequestAction::Add) && view.state != RequestState::Rejected {
                s.users.form = UserForm::default();
            }
            if !view.state.is_final() {
                out.run(Command::FollowRequest {
                    session: s.id,
                    token: s.token(),
                    request: view.clone(),
                });
            }
            settle(s, &view, out);
            s.requests.followed = Some(view);
        }
        Msg::Submitted(Err(failure)) => {
            if let Some(signing) = &mut s.requests.signing {
                signing.busy = false;
                signing.error = Some(failure.clone());
            }
            out.fail(failure);
        }
        Msg::Update(view) => {
            settle(s, &view, out);
            s.requests.followed = Some(view);
        }
    }
}

/// A followed request reached a state: say so, refresh the lists.
fn settle(s: &mut Session, view: &RequestView, out: &mut Outcome) {
    match view.state {
        RequestState::Done => {
            let (es, en) = match view.action {
                RequestAction::Add => ("Alta realizada", "User added"),
                RequestAction::Remove => ("Baja realizada", "User removed"),
                RequestAction::Update => ("Actualización realizada", "User updated"),
            };
            s.notice = Some(Notice::Info {
                es: format!("{es}: CUI {}.", view.user_cui),
                en: format!("{en}: CUI {}.", view.user_cui),
            });
            s.users.list = Remote::NotLoaded;
            s.requests.list = Remote::NotLoaded;
            if matches!(s.tab, Tab::Users | Tab::Requests) {
                s.load_tab(out);
            } else if s.tab == Tab::AddUser {
                s.tab = Tab::Users;
                s.load_tab(out);
            }
        }
        RequestState::Rejected => {
            let code = view
                .reject_code
                .as_deref()
                .and_then(ErrorCode::from_code)
                .unwrap_or(ErrorCode::Internal);
            let detail = view.reject_message.clone().unwrap_or_default();
            let said = |lang: Lang| {
                if detail.is_empty() {
                    code.message(lang).to_owned()
                } else {
                    detail.clone()
                }
            };
            s.notice = Some(Notice::Error(Failure::new(
                code,
                format!("La solicitud fue RECHAZADA: {}", said(Lang::Es)),
                format!("The request was REJECTED: {}", said(Lang::En)),
            )));
            s.requests.list = Remote::NotLoaded;
        }
        RequestState::Received | RequestState::Processing => {}
    }
}

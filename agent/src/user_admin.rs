//! User administration shared by the CLI (`users add|update|remove`) and the
//! kiosk: checking a user's fields before anything is signed, signing the
//! request with the card, submitting it, and following its state.

use std::time::Duration;

use padron_drivers::Pin;
use padron_shared::auth::SessionInfo;
use padron_shared::users::{RequestAction, RequestView, UserChange};
use padron_shared::{ErrorBody, ErrorCode, Lang};

use crate::card_session::{OpenCard, SessionError, sign_request};
use crate::client::{Client, ClientError};

pub use padron_shared::user_fields::{
    Field, FieldProblem, check_cui, plausible_email, plausible_phone,
};

/// Every problem of a user change for `action`, in form order; empty when it
/// may be signed. The rules are `padron-shared`'s, the server's own.
pub fn check_change(action: RequestAction, user: &UserChange) -> Vec<FieldProblem> {
    user.problems(action)
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
    while !current.state.is_final() && tokio::time::Instant::now() < deadline {
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

//! One rule for a user's fields on both sides (issue 14): every change the
//! agent's form would refuse, the server refuses too when a signed request
//! carries it (the agent is not the only client a server can meet), and
//! every change the agent accepts, the server applies. The changes are
//! signed with a software eID card and sent to a real server.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_agent::user_admin::check_change;
use padron_shared::users::{RequestAction, UserChange};
use padron_tests::eid::new_user;
use padron_tests::fixture::{Env, cui};
use time::OffsetDateTime;

fn with_email(n: u32, email: &str) -> UserChange {
    let mut u = new_user(&cui(n), "Usuaria De Prueba");
    u.email = Some(email.to_owned());
    u
}

#[test]
fn the_agent_and_the_server_agree_on_every_email() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    // Addresses the server's old check accepted and the agent's refused,
    // the reverse, and plain good and bad ones.
    let cases = [
        ("ana.perez@mides.gob.gt", true),
        ("a@b.gt", true),
        ("a@b..gt", false),
        ("a@b.gt.", false),
        ("a@.b.gt", false),
        ("a@@b.gt", false),
        ("a b@mides.gob.gt", false),
        ("ana@mides", false),
        ("@mides.gob.gt", false),
        ("ana@mides.gob.gt\u{7}", false),
        ("ana@x.y@mides.gob.gt", false),
    ];
    for (i, (email, good)) in cases.iter().enumerate() {
        let user = with_email(40 + i as u32, email);
        let agent_ok = check_change(RequestAction::Add, &user).is_empty();
        assert_eq!(agent_ok, *good, "agent on {email:?}");
        let p = ana.payload(
            &env.installation,
            RequestAction::Add,
            "MIDES",
            env.ws1_id,
            user,
            OffsetDateTime::now_utc(),
        );
        let answer = env.submit(&env.ws1, &session.token, &ana.sign(&p));
        let server_ok = answer == Ok("DONE".into());
        assert_eq!(
            server_ok, agent_ok,
            "server on {email:?}: {answer:?}, agent: {agent_ok}"
        );
        if !server_ok {
            assert_eq!(answer, Err("USER_FIELD_INVALID".into()), "{email:?}");
        }
    }
}

#[test]
fn the_agent_and_the_server_agree_on_the_other_fields() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    let mut blank_post = new_user(&cui(60), "Blanco");
    blank_post.post = Some("   ".into());
    let mut tab_name = new_user(&cui(61), "Con\ttabulador");
    tab_name.full_name = Some("Con\ttabulador".into());
    let mut bad_phone = new_user(&cui(62), "Teléfono");
    bad_phone.phone = Some("5555".into());
    let mut bad_ext = new_user(&cui(63), "Extensión");
    bad_ext.extension = Some("12a".into());
    let mut reason = new_user(&cui(64), "Motivo");
    reason.reason = Some(padron_shared::users::RemovalReason::EmploymentEnded);
    let good = new_user(&cui(65), "Correcta");
    for user in [blank_post, tab_name, bad_phone, bad_ext, reason, good] {
        let agent_ok = check_change(RequestAction::Add, &user).is_empty();
        let p = ana.payload(
            &env.installation,
            RequestAction::Add,
            "MIDES",
            env.ws1_id,
            user.clone(),
            OffsetDateTime::now_utc(),
        );
        let answer = env.submit(&env.ws1, &session.token, &ana.sign(&p));
        assert_eq!(
            answer == Ok("DONE".into()),
            agent_ok,
            "{user:?}: server {answer:?}, agent ok {agent_ok}"
        );
    }
}

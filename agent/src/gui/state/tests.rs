#![allow(clippy::unwrap_used)]
use super::*;
use padron_drivers::ReaderInfo;
use padron_shared::Cui;
use padron_shared::queries::QueryJob;
use padron_shared::queries::{JobState, QueryMode};
use padron_shared::users::RemovalReason;
use padron_shared::users::RequestState;

use crate::precheck;
use crate::user_admin;

fn readers(card: bool) -> card::Msg {
    card::Msg::Readers(Readers::Seen(vec![ReaderInfo {
        name: "Virtual PCD 00 00".into(),
        card_present: card,
    }]))
}

fn session(role: Role) -> SessionInfo {
    SessionInfo {
        token: "tok".into(),
        role,
        cui: Cui::parse("1234567890101").unwrap(),
        name: "Ana López".into(),
        institution_code: "MIDES".into(),
        institution_name: "Ministerio".into(),
        workstation_id: 1,
        idle_timeout_seconds: 900,
        expires_at: "2026-11-22T23:00:00.000Z".into(),
        installation_id: "test".into(),
        programmes: vec![],
    }
}

fn pin() -> Pin {
    Pin::new("123456").unwrap()
}

fn logged_in(role: Role) -> AppState {
    let mut s = AppState::new(Lang::Es, true, None);
    s.update(readers(true));
    login(&mut s, Ok(session(role)));
    s
}

/// What the card layer answers to the login with the card in the reader now.
fn login(s: &mut AppState, result: Result<SessionInfo, Failure>) -> Vec<Command> {
    s.update(card::Msg::LoggedIn {
        card: s.card.id,
        result,
    })
}

/// What the card in the reader now says before any PIN.
fn read(s: &mut AppState, facts: Result<CardFacts, Failure>) -> Vec<Command> {
    s.update(card::Msg::Read {
        card: s.card.id,
        facts,
    })
}

/// The worker's answer for the session on show.
fn answer(s: &mut AppState, msg: impl Into<SessionMsg>) -> Vec<Command> {
    let session = ses(s).id;
    s.update(Msg::Answer {
        session,
        msg: msg.into(),
    })
}

fn ses(s: &mut AppState) -> &mut Session {
    s.session.as_mut().unwrap()
}

fn names(cmds: &[Command]) -> Vec<String> {
    cmds.iter()
        .map(|c| {
            format!("{c:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_card_leads_from_insert_to_pin_to_home() {
    let mut s = AppState::new(Lang::Es, false, None);
    assert_eq!(s.screen_name(), "starting");
    assert_eq!(names(&s.start()), ["CheckServer"]);
    s.update(card::Msg::Readers(Readers::Seen(vec![])));
    assert_eq!(s.screen_name(), "no-reader");
    assert_eq!(names(&s.update(readers(false))), Vec::<String>::new());
    assert_eq!(s.screen_name(), "insert-card");
    assert_eq!(names(&s.update(readers(true))), ["ReadCard"]);
    assert_eq!(s.screen_name(), "pin");
    let cmds = s.update(card::Msg::SubmitPin(pin()));
    assert!(matches!(&cmds[..], [Command::Login { reader, .. }] if reader == "Virtual PCD 00 00"));
    assert!(s.card.pin_busy);
    // A second Enter while the first login runs sends nothing.
    assert!(s.update(card::Msg::SubmitPin(pin())).is_empty());
    let cmds = login(&mut s, Ok(session(Role::Coordinator)));
    assert_eq!(names(&cmds), ["LoadUsers"]);
    assert_eq!(s.screen_name(), "coordinator-users");
    assert_eq!(s.institution, Institution::Active);
}

#[test]
fn the_pin_command_hides_the_digits() {
    let mut s = AppState::new(Lang::Es, false, None);
    s.update(readers(true));
    let cmds = s.update(card::Msg::SubmitPin(pin()));
    let shown = format!("{cmds:?}");
    assert!(
        !shown.contains("123456") && shown.contains("Pin(****)"),
        "{shown}"
    );
    assert!(!format!("{s:?}").contains("123456"));
}

#[test]
fn a_wrong_pin_shows_tries_left_and_a_blocked_card_stops_at_once() {
    let mut s = AppState::new(Lang::Es, false, None);
    s.update(readers(true));
    read(
        &mut s,
        Ok(CardFacts {
            reader: "Virtual PCD 00 00".into(),
            holder: Some("ANA".into()),
            cui: None,
            tries_left: Some(3),
            blocked: false,
        }),
    );
    s.update(card::Msg::SubmitPin(pin()));
    let mut wrong = Failure::of(ErrorCode::PinIncorrect);
    wrong.tries_left = Some(2);
    login(&mut s, Err(wrong));
    assert!(!s.card.pin_busy);
    assert!(matches!(&s.card.facts, Some(Ok(c)) if c.tries_left == Some(2)));
    s.update(card::Msg::SubmitPin(pin()));
    login(&mut s, Err(Failure::of(ErrorCode::PinBlocked)));
    assert!(matches!(&s.card.facts, Some(Ok(c)) if c.blocked));
    assert!(s.update(card::Msg::SubmitPin(pin())).is_empty());
    assert_eq!(
        s.card.pin_error.as_ref().unwrap().code,
        ErrorCode::PinBlocked
    );
}

#[test]
fn removing_the_card_ends_the_session_at_once() {
    let mut s = logged_in(Role::Coordinator);
    let cmds = s.update(readers(false));
    // Ended on the server, and the session's folder wiped.
    assert!(
        matches!(&cmds[..], [Command::Logout { token }, Command::WipeFolder { .. }] if token == "tok")
    );
    assert!(s.session.is_none());
    assert_eq!(s.screen_name(), "insert-card");
    assert_eq!(
        s.card.pin_error.as_ref().unwrap().code,
        ErrorCode::CardRemoved
    );
    // The next card starts from the PIN, not from the old session.
    assert_eq!(names(&s.update(readers(true))), ["ReadCard"]);
    assert_eq!(s.screen_name(), "pin");
    assert!(s.card.pin_error.is_none());
}

#[test]
fn a_login_that_lands_after_removal_is_logged_out() {
    let mut s = AppState::new(Lang::Es, true, None);
    s.update(readers(true));
    s.update(card::Msg::SubmitPin(pin()));
    let before = s.card.id;
    s.update(readers(false));
    let cmds = s.update(card::Msg::LoggedIn {
        card: before,
        result: Ok(session(Role::User)),
    });
    assert!(matches!(&cmds[..], [Command::Logout { .. }]));
    assert!(s.session.is_none());
}

#[test]
fn idle_locks_only_the_kiosk() {
    let mut s = logged_in(Role::User);
    let cmds = s.update(Msg::IdleTimeout);
    assert_eq!(names(&cmds), ["Logout", "WipeFolder"]);
    assert_eq!(s.card.locked, Some(LockReason::Idle));
    assert_eq!(s.screen_name(), "pin");
    let mut windowed = AppState::new(Lang::Es, false, None);
    windowed.update(readers(true));
    login(&mut windowed, Ok(session(Role::User)));
    assert!(windowed.update(Msg::IdleTimeout).is_empty());
    assert!(windowed.session.is_some());
}

#[test]
fn only_a_coordinator_quits_the_kiosk() {
    let mut user = logged_in(Role::User);
    assert!(user.update(Msg::Quit).is_empty());
    assert!(!user.quitting);
    let mut nobody = AppState::new(Lang::Es, true, None);
    assert!(nobody.update(Msg::Quit).is_empty());
    let mut coordinator = logged_in(Role::Coordinator);
    assert_eq!(
        names(&coordinator.update(Msg::Quit)),
        ["Logout", "WipeFolder", "Close"]
    );
    assert!(coordinator.quitting);
}

#[test]
fn offline_shows_a_banner_and_retries_once_per_outage() {
    let mut s = logged_in(Role::Coordinator);
    let offline = Failure::of(ErrorCode::ServerUnreachable);
    let cmds = answer(&mut s, users::Msg::Loaded(Err(offline.clone())));
    assert!(
        matches!(&cmds[..], [Command::CheckServer { after: Some(d), .. }] if *d == OFFLINE_RETRY)
    );
    assert!(matches!(s.server, Server::Offline(_)));
    assert!(answer(&mut s, requests::Msg::Loaded(Err(offline.clone()))).is_empty());
    // The check that was running before the outage is superseded.
    let stale = Msg::ServerChecked {
        epoch: s.server_epoch - 1,
        result: Err(offline.clone()),
    };
    assert!(s.update(stale).is_empty(), "one chain of checks");
    let cmds = s.update(Msg::ServerChecked {
        epoch: s.server_epoch,
        result: Err(offline),
    });
    assert_eq!(names(&cmds), ["CheckServer"]);
    let me = WhoAmI {
        workstation_id: 1,
        institution_code: "MIDES".into(),
        institution_name: "M".into(),
        site: "Central".into(),
        certificate_not_after: "2030".into(),
        time_zone: "America/Guatemala".into(),
        service_desk: String::new(),
    };
    let cmds = s.update(Msg::ServerChecked {
        epoch: s.server_epoch,
        result: Ok(me),
    });
    assert!(
        matches!(&cmds[..], [Command::CheckServer { after: Some(d), .. }] if *d == ONLINE_RECHECK)
    );
    assert!(matches!(s.server, Server::Online(_)));
    assert!(s.session.is_some(), "an outage does not end the session");
}

#[test]
fn an_inactive_institution_is_explained_and_ends_the_session() {
    let mut s = AppState::new(Lang::Es, false, None);
    s.update(readers(true));
    s.update(card::Msg::SubmitPin(pin()));
    let refused = Failure::new(
        ErrorCode::InstitutionInactive,
        "La institución está inactiva… Motivo: falta de pago",
        "inactive… Reason: unpaid",
    );
    login(&mut s, Err(refused.clone()));
    assert_eq!(s.institution, Institution::Refused(refused.clone()));
    let mut s = logged_in(Role::User);
    let cmds = answer(&mut s, jobs::Msg::Loaded(Err(refused)));
    assert_eq!(names(&cmds), ["Logout", "WipeFolder"]);
    assert!(s.session.is_none());
    assert!(matches!(s.institution, Institution::Refused(_)));
}

#[test]
fn adding_a_user_validates_then_signs_then_follows() {
    let mut s = logged_in(Role::Coordinator);
    s.update(SessionMsg::SelectTab(Tab::AddUser));
    ses(&mut s).users.form.cui = "9876543230101".into();
    assert!(
        ses(&mut s)
            .users
            .form
            .shown_problem(user_admin::Field::Cui)
            .is_none(),
        "not before leaving the field"
    );
    s.update(users::Msg::FieldLeft(user_admin::Field::Cui));
    assert!(
        ses(&mut s)
            .users
            .form
            .shown_problem(user_admin::Field::Cui)
            .is_some()
    );
    s.update(users::Msg::AskSignAdd);
    assert!(
        ses(&mut s).requests.signing.is_none(),
        "an invalid form is not signed"
    );
    ses(&mut s).users.form = UserForm {
        cui: "9876 54322 0101".into(),
        full_name: "Pedro Xol".into(),
        email: "p@mides.gob.gt".into(),
        phone: "5555 1234".into(),
        department: "D".into(),
        post: "P".into(),
        programme: "Bolsa Social".into(),
        ..UserForm::default()
    };
    s.update(users::Msg::AskSignAdd);
    assert_eq!(s.screen_name(), "coordinator-add-user-signing");
    let cmds = s.update(requests::Msg::SignWithPin(pin()));
    assert!(
        matches!(&cmds[..], [Command::Sign { action: RequestAction::Add, user, .. }] if user.cui == "9876 54322 0101")
    );
    assert!(
        s.update(requests::Msg::SignWithPin(pin())).is_empty(),
        "one signature at a time"
    );
    let view = RequestView {
        id: "r1".into(),
        action: RequestAction::Add,
        user_cui: "9876543220101".into(),
        state: RequestState::Received,
        reject_code: None,
        reject_message: None,
        coordinator_cui: "1234567890101".into(),
        created_at: "t".into(),
        updated_at: "t".into(),
    };
    let cmds = answer(&mut s, requests::Msg::Submitted(Ok(view.clone())));
    assert_eq!(names(&cmds), ["FollowRequest"]);
    assert!(ses(&mut s).requests.signing.is_none());
    assert_eq!(ses(&mut s).users.form, UserForm::default());
    let cmds = answer(
        &mut s,
        requests::Msg::Update(RequestView {
            state: RequestState::Done,
            ..view
        }),
    );
    assert_eq!(names(&cmds), ["LoadUsers"]);
    assert_eq!(ses(&mut s).tab, Tab::Users);
    assert!(
        matches!(&ses(&mut s).notice, Some(Notice::Info { es, .. }) if es.starts_with("Alta realizada"))
    );
}

#[test]
fn a_removal_needs_one_of_the_three_reasons() {
    let mut s = logged_in(Role::Coordinator);
    s.update(users::Msg::AskRemove {
        cui: "9876543220101".into(),
        name: "Pedro".into(),
    });
    s.update(users::Msg::AskSignRemove);
    assert!(ses(&mut s).requests.signing.is_none());
    s.update(users::Msg::PickReason(RemovalReason::EmploymentEnded));
    s.update(users::Msg::AskSignRemove);
    let signing = ses(&mut s).requests.signing.clone().unwrap();
    assert_eq!(signing.action, RequestAction::Remove);
    assert_eq!(signing.user.reason, Some(RemovalReason::EmploymentEnded));
    let cmds = s.update(requests::Msg::SignWithPin(pin()));
    assert_eq!(names(&cmds), ["Sign"]);
    let mut rejected = Failure::of(ErrorCode::PinIncorrect);
    rejected.tries_left = Some(2);
    answer(&mut s, requests::Msg::Submitted(Err(rejected)));
    let signing = ses(&mut s).requests.signing.as_ref().unwrap();
    assert!(
        !signing.busy && signing.error.is_some(),
        "the prompt stays for another try"
    );
}

#[test]
fn users_cannot_reach_coordinator_tabs_nor_coordinators_the_upload() {
    let mut s = logged_in(Role::User);
    assert_eq!(ses(&mut s).tab, Tab::Query);
    assert!(s.update(SessionMsg::SelectTab(Tab::Users)).is_empty());
    assert_eq!(ses(&mut s).tab, Tab::Query);
    s.update(users::Msg::AskRemove {
        cui: "1".into(),
        name: "x".into(),
    });
    assert!(ses(&mut s).users.removal.is_none());
    let mut c = logged_in(Role::Coordinator);
    assert!(
        c.update(query::Msg::Chosen("/tmp/x.xlsx".into()))
            .is_empty()
    );
}

#[test]
fn a_workbook_is_checked_uploaded_followed_and_saved() {
    let mut s = logged_in(Role::User);
    let path = PathBuf::from("/tmp/beneficiarios.xlsx");
    let cmds = s.update(query::Msg::Chosen(path.clone()));
    assert!(matches!(&cmds[..], [Command::CheckWorkbook { .. }]));
    // A refused workbook cannot be uploaded.
    answer(
        &mut s,
        query::Msg::Checked(Workbook {
            path: path.clone(),
            name: "beneficiarios.xlsx".into(),
            check: Err(Failure::of(ErrorCode::WorkbookNoHeader)),
        }),
    );
    assert!(s.update(query::Msg::Upload).is_empty());
    s.update(query::Msg::Chosen(path.clone()));
    let report = precheck::Report {
        mode: precheck::Mode::Cui,
        sheet: "Hoja1".into(),
        header_row: 1,
        rows: 2,
        bad_rows: vec![],
        bad_count: 0,
    };
    answer(
        &mut s,
        query::Msg::Checked(Workbook {
            path,
            name: "beneficiarios.xlsx".into(),
            check: Ok((report, Arc::new(vec![1, 2, 3]))),
        }),
    );
    assert_eq!(names(&s.update(query::Msg::Upload)), ["Upload"]);
    assert!(
        s.update(query::Msg::Upload).is_empty(),
        "one upload at a time"
    );
    let job = QueryJob {
        id: "j1".into(),
        state: JobState::Queued,
        jobs_ahead: Some(2),
        progress_percent: 0,
        mode: QueryMode::Cui,
        rows: 2,
        file_name: "beneficiarios.xlsx".into(),
        user_cui: "9876543220101".into(),
        counts: None,
        fail_code: None,
        fail_message: None,
        created_at: "t".into(),
        finished_at: None,
    };
    assert_eq!(
        names(&answer(&mut s, query::Msg::Uploaded(Ok(job.clone())))),
        ["FollowJob"]
    );
    answer(
        &mut s,
        query::Msg::JobUpdate(Ok(QueryJob {
            state: JobState::Running,
            progress_percent: 40,
            ..job.clone()
        })),
    );
    assert!(matches!(&ses(&mut s).query.upload, Some(Upload::Job(j)) if j.progress_percent == 40));
    assert!(
        s.update(query::Msg::Chosen("/tmp/other.xlsx".into()))
            .is_empty(),
        "not while one runs"
    );
    answer(
        &mut s,
        query::Msg::JobUpdate(Ok(QueryJob {
            state: JobState::Done,
            progress_percent: 100,
            ..job
        })),
    );
    // Kiosk mode: the drives plugged in are looked for, no dialog.
    assert_eq!(
        names(&s.update(query::Msg::SaveResult {
            id: "j1".into(),
            file_name: result_file_name("beneficiarios.xlsx"),
        })),
        ["ListDrives"]
    );
    s.update(save::Msg::Cancel);
    // Windowed, the desktop's save dialog.
    ses(&mut s).kiosk = false;
    assert_eq!(
        names(&s.update(query::Msg::SaveResult {
            id: "j1".into(),
            file_name: result_file_name("beneficiarios.xlsx"),
        })),
        ["PickSaveTarget"]
    );
    assert!(
        answer(
            &mut s,
            query::Msg::SaveTarget {
                id: "j1".into(),
                path: None
            }
        )
        .is_empty(),
        "dialog cancelled"
    );
    let cmds = answer(
        &mut s,
        query::Msg::SaveTarget {
            id: "j1".into(),
            path: Some("/tmp/r.xlsx".into()),
        },
    );
    assert!(matches!(&cmds[..], [Command::Download { id, .. }] if id == "j1"));
    answer(&mut s, query::Msg::ResultSaved(Ok("/tmp/r.xlsx".into())));
    assert_eq!(
        ses(&mut s).query.saved,
        Some(Saved::Done("/tmp/r.xlsx".into()))
    );
}

#[test]
fn the_activity_report_checks_its_question_first() {
    let mut s = logged_in(Role::Coordinator);
    assert_eq!(
        names(&s.update(SessionMsg::SelectTab(Tab::Report))),
        ["LoadUsers"]
    );
    ses(&mut s).report.form = ReportForm {
        cui: "9876543220101".into(),
        from: "2026-11-30".into(),
        to: "2026-11-01".into(),
    };
    assert!(s.update(report::Msg::Run).is_empty());
    assert!(matches!(&ses(&mut s).report.activity, Remote::Failed(f) if f.en.contains("after")));
    ses(&mut s).report.form.from = "1 nov".into();
    s.update(report::Msg::Run);
    assert!(
        matches!(&ses(&mut s).report.activity, Remote::Failed(f) if f.en.contains("dd/mm/yyyy"))
    );
    // Typed day first, as people here write dates; sent to the server as ISO.
    ses(&mut s).report.form.from = "01/11/2026".into();
    ses(&mut s).report.form.cui = "9876543230101".into();
    s.update(report::Msg::Run);
    assert!(
        matches!(&ses(&mut s).report.activity, Remote::Failed(f) if f.code == ErrorCode::CuiInvalid)
    );
    ses(&mut s).report.form.cui = "9876 54322 0101".into();
    let cmds = s.update(report::Msg::Run);
    assert!(matches!(&cmds[..], [Command::LoadReport { params, .. }]
        if params.cui == "9876543220101" && params.from == "2026-11-01"));
    let mut user = logged_in(Role::User);
    ses(&mut user).report.form = ses(&mut s).report.form.clone();
    assert!(
        user.update(report::Msg::Run).is_empty(),
        "coordinators only"
    );
    let first = ReportForm::this_month(time::macros::date!(2026 - 11 - 22));
    assert_eq!(
        (first.from.as_str(), first.to.as_str()),
        ("01/11/2026", "22/11/2026")
    );
}

#[test]
fn result_names() {
    assert_eq!(result_file_name("a.xlsx"), "a-resultado.xlsx");
    assert_eq!(result_file_name("a.ods"), "a-resultado.xlsx");
    assert_eq!(result_file_name("a"), "a-resultado.xlsx");
}

/// A user-activity report about `name`.
fn activity(name: &str) -> UserActivityReport {
    UserActivityReport {
        institution_code: "MIDES".into(),
        institution_name: "Ministerio".into(),
        user_cui: "9876543220101".into(),
        user_name: name.into(),
        user_programme: "Bolsa Social".into(),
        user_status: "ACTIVE".into(),
        from: "2026-11-01".into(),
        to: "2026-11-22".into(),
        generated_at: "2026-11-22T10:00:00.000Z".into(),
        queries: vec![],
        rows_charged: 0,
        results: Default::default(),
    }
}

/// Another person's session.
fn other(name: &str, token: &str, role: Role) -> SessionInfo {
    SessionInfo {
        token: token.into(),
        name: name.into(),
        ..session(role)
    }
}

fn checked(path: &std::path::Path) -> Workbook {
    Workbook {
        path: path.to_owned(),
        name: "beneficiarios.xlsx".into(),
        check: Ok((
            precheck::Report {
                mode: precheck::Mode::Cui,
                sheet: "Hoja1".into(),
                header_row: 1,
                rows: 2,
                bad_rows: vec![],
                bad_count: 0,
            },
            Arc::new(vec![1, 2, 3]),
        )),
    }
}

#[test]
fn a_report_asked_before_the_card_left_never_shows_to_the_next_person() {
    let mut s = logged_in(Role::Coordinator);
    let ana = ses(&mut s).id;
    s.update(SessionMsg::SelectTab(Tab::Report));
    ses(&mut s).report.form.cui = "9876543220101".into();
    let cmds = s.update(report::Msg::Run);
    assert!(
        matches!(&cmds[..], [Command::LoadReport { session, .. }] if *session == ana),
        "the command carries its session: {cmds:?}"
    );
    // Ana's card leaves while the report loads; Bruno's card comes in.
    s.update(readers(false));
    assert!(s.session.is_none());
    s.update(readers(true));
    login(
        &mut s,
        Ok(other("Bruno Ajú", "tok-bruno", Role::Coordinator)),
    );
    let bruno = ses(&mut s).id;
    assert_ne!(ana, bruno);
    s.update(SessionMsg::SelectTab(Tab::Report));
    // Ana's report arrives now: dropped.
    let late = s.update(Msg::Answer {
        session: ana,
        msg: report::Msg::Loaded(Ok(activity("Pedro Xol"))).into(),
    });
    assert!(late.is_empty());
    assert!(matches!(ses(&mut s).report.activity, Remote::NotLoaded));
    assert_eq!(s.screen_name(), "coordinator-report");
    // Nor does a refusal of Ana's ended session end Bruno's.
    let late = s.update(Msg::Answer {
        session: ana,
        msg: users::Msg::Loaded(Err(Failure::of(ErrorCode::SessionExpired))).into(),
    });
    assert!(late.is_empty(), "{late:?}");
    assert_eq!(ses(&mut s).info.name, "Bruno Ajú");
    assert!(s.card.pin_error.is_none());
    // The same answer for Bruno's own question is taken in.
    answer(&mut s, report::Msg::Loaded(Ok(activity("Pedro Xol"))));
    assert!(
        matches!(&ses(&mut s).report.activity, Remote::Loaded(r) if r.user_name == "Pedro Xol")
    );
}

#[test]
fn a_precheck_that_lands_after_the_session_ended_is_dropped() {
    let mut s = logged_in(Role::User);
    let first = ses(&mut s).id;
    let path = PathBuf::from("/tmp/beneficiarios.xlsx");
    let cmds = s.update(query::Msg::Chosen(path.clone()));
    assert!(matches!(&cmds[..], [Command::CheckWorkbook { session, .. }] if *session == first));
    s.update(Msg::Logout);
    assert!(s.session.is_none());
    // Another person logs in and picks a file of the same name.
    login(&mut s, Ok(other("María Chavajay", "tok-maria", Role::User)));
    s.update(query::Msg::Chosen(path.clone()));
    let late = s.update(Msg::Answer {
        session: first,
        msg: query::Msg::Checked(checked(&path)).into(),
    });
    assert!(late.is_empty());
    let query = &ses(&mut s).query;
    assert!(query.workbook.is_none());
    assert_eq!(
        query.checking.as_ref(),
        Some(&path),
        "still waiting for its own check"
    );
    assert!(
        s.update(query::Msg::Upload).is_empty(),
        "the first person's bytes are never sent"
    );
    answer(&mut s, query::Msg::Checked(checked(&path)));
    let cmds = s.update(query::Msg::Upload);
    assert!(
        matches!(&cmds[..], [Command::Upload { token, .. }] if token == "tok-maria"),
        "{cmds:?}"
    );
}

#[test]
fn a_login_for_a_card_that_was_replaced_is_logged_out() {
    let mut s = AppState::new(Lang::Es, true, None);
    s.update(readers(true));
    s.update(card::Msg::SubmitPin(pin()));
    let ana = s.card.id;
    // Ana's card leaves and another goes into the same reader.
    s.update(readers(false));
    s.update(readers(true));
    assert_ne!(s.card.id, ana);
    let cmds = s.update(card::Msg::LoggedIn {
        card: ana,
        result: Ok(session(Role::Coordinator)),
    });
    assert!(matches!(&cmds[..], [Command::Logout { token }] if token == "tok"));
    assert!(s.session.is_none());
    assert_eq!(s.screen_name(), "pin");
    // Nor is what Ana's card said shown for the new one.
    s.update(card::Msg::Read {
        card: ana,
        facts: Ok(CardFacts {
            reader: "Virtual PCD 00 00".into(),
            holder: Some("ANA".into()),
            cui: None,
            tries_left: Some(3),
            blocked: false,
        }),
    });
    assert!(s.card.facts.is_none());
}

#[test]
fn a_finished_job_asks_for_its_rows_to_look_at_once() {
    let mut s = logged_in(Role::User);
    let q = &mut ses(&mut s).query;
    let mut job = QueryJob {
        id: "6f1c2a9e-0000-4000-8000-000000000001".into(),
        state: JobState::Running,
        jobs_ahead: None,
        progress_percent: 40,
        mode: QueryMode::Cui,
        rows: 10,
        file_name: "b.xlsx".into(),
        user_cui: "9876543220101".into(),
        counts: None,
        fail_code: None,
        fail_message: None,
        created_at: "x".into(),
        finished_at: None,
    };
    q.upload = Some(Upload::Job(job.clone()));
    assert!(s.following_job());
    assert!(answer(&mut s, query::Msg::JobUpdate(Ok(job.clone()))).is_empty());
    assert_eq!(ses(&mut s).query.row_of(), Some((4, 10)), "fila 4 de 10");
    job.state = JobState::Done;
    job.progress_percent = 100;
    let cmds = answer(&mut s, query::Msg::JobUpdate(Ok(job.clone())));
    assert_eq!(names(&cmds), ["LoadAttention"]);
    assert!(
        answer(&mut s, query::Msg::JobUpdate(Ok(job))).is_empty(),
        "once"
    );
    assert!(!s.following_job());
}

#[test]
fn the_text_size_steps_within_bounds_and_resets_for_the_next_person() {
    let mut s = logged_in(Role::User);
    for _ in 0..10 {
        s.update(Msg::TextSize(1));
    }
    assert_eq!(s.text_size, TEXT_SCALES.len() - 1);
    s.update(Msg::Logout);
    assert_eq!(s.text_size, DEFAULT_TEXT_SIZE);
    for _ in 0..10 {
        s.update(Msg::TextSize(-1));
    }
    assert_eq!(s.text_size, 0);
}

#[test]
fn the_queue_estimate_follows_the_pace_of_the_jobs_ahead() {
    let mut s = logged_in(Role::User);
    let job = |ahead: i64| QueryJob {
        id: "6f1c2a9e-0000-4000-8000-000000000002".into(),
        state: JobState::Queued,
        jobs_ahead: Some(ahead),
        progress_percent: 0,
        mode: QueryMode::Cui,
        rows: 10,
        file_name: "b.xlsx".into(),
        user_cui: "9876543220101".into(),
        counts: None,
        fail_code: None,
        fail_message: None,
        created_at: "x".into(),
        finished_at: None,
    };
    ses(&mut s).query.upload = Some(Upload::Sending);
    answer(&mut s, query::Msg::Uploaded(Ok(job(3))));
    let now = Instant::now();
    assert_eq!(ses(&mut s).query.queue_left(now), None, "no pace yet");
    // Two jobs ahead went in 20 s: 10 s each, one ahead and ours left.
    ses(&mut s).query.queued_since = Some((now - Duration::from_secs(20), 3));
    answer(&mut s, query::Msg::JobUpdate(Ok(job(1))));
    let left = ses(&mut s).query.queue_left(now).unwrap();
    assert_eq!(left.as_secs(), 20);
}

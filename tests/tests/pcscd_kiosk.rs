//! The kiosk driven through its accessibility tree (egui_kittest), against a
//! real server and `padron-card` virtual cards in a real pcscd: a coordinator
//! inserts the card, types the PIN, adds a user with the form (live CUI
//! check, PIN to sign) and removes the card; a user drops a workbook, sees
//! the pre-check's bad row, uploads it, follows the queue and saves the
//! result. Serialised with the other pcscd tests (nextest group `pcscd` and
//! the test bed's file lock). Only the native save dialog is answered by
//! the test (it is the desktop's, not the kiosk's).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use padron_agent::gui::app::PadronApp;
use padron_agent::gui::state::{Msg, Upload, query};
use padron_drivers::testbed::{self, VirtualCard};
use padron_shared::Lang;
use padron_shared::queries::JobState;
use padron_tests::card_env::{ADD_PEDRO, COORDINATOR, CardEnv, PEDRO as USER, assert_ok};
use padron_tests::consulta::registry_for;
use padron_tests::{bin, ok};

/// The card test bed (pcscd, an eID CA, Ana, the server) and its readers.
struct Env {
    card: CardEnv,
    readers: Vec<String>,
}

impl std::ops::Deref for Env {
    type Target = CardEnv;
    fn deref(&self) -> &CardEnv {
        &self.card
    }
}

impl Env {
    fn new() -> Env {
        let card = CardEnv::new();
        let ctx = testbed::ensure_pcscd().unwrap();
        let readers = testbed::vpcd_readers(&ctx)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        Env { card, readers }
    }

    fn issue(&self, name: &str, cui: &str, given: &str, surnames: &str) -> PathBuf {
        self.card.issue(name, cui, given, surnames, "p256")
    }

    /// agent.toml of the bundle, pointed at vpcd slot `slot`.
    fn config(&self, slot: usize) -> PathBuf {
        self.card.config_for(&self.readers[slot])
    }

    /// The application as the person sees it, in Spanish, windowed.
    fn kiosk(&self, slot: usize) -> Harness<'static, PadronApp> {
        self.app(slot, false)
    }

    fn app(&self, slot: usize, kiosk: bool) -> Harness<'static, PadronApp> {
        let loaded = padron_agent::config::load(&self.config(slot)).unwrap();
        let client = padron_agent::client::Client::new(&loaded, Lang::Es).unwrap();
        let settings = padron_shared::config_card::CardSettings::from(&loaded.config);
        Harness::builder()
            .with_size([1100.0, 760.0])
            .build_eframe(move |cc| {
                PadronApp::new(&cc.egui_ctx, client, settings, Lang::Es, kiosk).unwrap()
            })
    }
}

/// Steps frames until `done` holds (the worker's results arrive between frames).
fn wait(
    h: &mut Harness<'static, PadronApp>,
    what: &str,
    done: impl Fn(&Harness<'static, PadronApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        h.step();
        if done(h) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; screen {:?}, state {:#?}",
            h.state().state.screen_name(),
            h.state().state
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn shows<S>(h: &Harness<'static, S>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn type_into(h: &mut Harness<'static, PadronApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn click(h: &mut Harness<'static, PadronApp>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}

fn log_in(h: &mut Harness<'static, PadronApp>, holder: &str) {
    log_in_with(h, holder, "123456");
}

fn log_in_with(h: &mut Harness<'static, PadronApp>, holder: &str, pin: &str) {
    wait(h, "the PIN field and the holder's name", |h| {
        shows(h, holder) && h.query_by_label("PIN de la tarjeta").is_some()
    });
    assert!(
        shows(h, "Intentos restantes: 3"),
        "tries left are shown before the PIN"
    );
    h.check_accessibility();
    type_into(h, "PIN de la tarjeta", pin);
    click(h, "Iniciar sesión");
}

fn open_sessions(env: &Env) -> i64 {
    env.inst
        .query_i64("SELECT count(*) FROM sessions WHERE ended_at IS NULL")
}

#[test]
fn coordinator_inserts_the_card_types_the_pin_adds_and_removes_a_user() {
    let env = Env::new();
    let ana = env.issue("ana", COORDINATOR, "ANA LUCÍA", "LÓPEZ PÉREZ");
    let mut h = env.kiosk(0);
    wait(&mut h, "the insert-card screen", |h| {
        shows(h, "Inserte su documento de identificación")
    });
    h.check_accessibility();

    let card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    log_in(&mut h, "ANA LUCÍA LÓPEZ PÉREZ");
    wait(&mut h, "the coordinator's users", |h| {
        shows(h, "Aún no hay usuarios")
    });
    assert!(shows(&h, "Institución activa"));
    assert_eq!(open_sessions(&env), 1);
    h.check_accessibility();

    click(&mut h, "Agregar usuario");
    // Live validation: a CUI whose check digit is wrong is flagged as typed.
    type_into(&mut h, "CUI", "9876543230101");
    assert!(
        shows(&h, "dígito verificador"),
        "the check digit is verified live"
    );
    for _ in 0..13 {
        h.key_press(eframe::egui::Key::Backspace);
        h.step();
    }
    type_into(&mut h, "CUI", "9876 54322 0101");
    assert!(shows(&h, "CUI válido"));
    h.check_accessibility();
    type_into(&mut h, "Nombre completo (como en el DPI)", "Pedro Xol Caal");
    type_into(&mut h, "Correo institucional", "pedro.xol@mides");
    type_into(&mut h, "Teléfono móvil", "5555 1234");
    type_into(&mut h, "Dependencia", "Dirección de Programas Sociales");
    type_into(&mut h, "Puesto", "Analista");
    type_into(&mut h, "Programa social", "Bolsa Social");
    click(&mut h, "Firmar alta con la tarjeta");
    assert!(
        shows(&h, "El correo no es válido"),
        "a bad e-mail stops the signature"
    );
    let session = h.state().state.session.as_ref().unwrap();
    assert!(session.requests.signing.is_none());
    type_into(&mut h, "Correo institucional", ".gob.gt");
    click(&mut h, "Firmar alta con la tarjeta");
    wait(&mut h, "the signature PIN prompt", |h| {
        h.query_by_label("PIN para firmar").is_some()
    });
    h.check_accessibility();
    type_into(&mut h, "PIN para firmar", "123456");
    click(&mut h, "Firmar y enviar");
    wait(
        &mut h,
        "the request to be done and the table reloaded",
        |h| shows(h, "Alta realizada") && shows(h, "Pedro Xol Caal"),
    );
    assert!(
        shows(&h, "Finalizada"),
        "the followed request's state is shown"
    );
    assert_eq!(
        env.inst.query_one(&format!(
            "SELECT full_name, email FROM users WHERE cui = '{USER}'"
        )),
        "Pedro Xol Caal|pedro.xol@mides.gob.gt"
    );

    click(&mut h, "Solicitudes");
    wait(&mut h, "the request history", |h| {
        shows(h, "Historial de solicitudes") && shows(h, USER)
    });

    // Removal (baja): one of the three reasons, signed with the card.
    click(&mut h, "Usuarios");
    wait(&mut h, "the users table", |h| {
        shows(h, "Pedro Xol Caal") && shows(h, "Dar de baja")
    });
    click(&mut h, "Dar de baja");
    assert!(shows(&h, "Motivo de la baja"));
    click(&mut h, "Fin de la relación laboral");
    click(&mut h, "Firmar baja con la tarjeta");
    wait(&mut h, "the signature PIN prompt", |h| {
        h.query_by_label("PIN para firmar").is_some()
    });
    assert!(shows(&h, "Firmar baja de usuario") && shows(&h, "Fin de la relación laboral"));
    type_into(&mut h, "PIN para firmar", "123456");
    click(&mut h, "Firmar y enviar");
    wait(&mut h, "the removal to be done", |h| {
        shows(h, "Baja realizada")
    });
    let row = env.inst.query_one(&format!(
        "SELECT u.status, r.payload \
         FROM users u JOIN user_requests r ON r.user_cui = u.cui \
         WHERE u.cui = '{USER}' AND r.action = 'REMOVE'"
    ));
    let (status, payload) = row.split_once('|').unwrap();
    let payload: serde_json::Value =
        serde_json::from_slice(&hex::decode(payload.strip_prefix("\\x").unwrap()).unwrap())
            .unwrap();
    let reason = payload["user"]["reason"].as_str().unwrap().to_owned();
    let status = status.to_owned();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("REMOVED", "EMPLOYMENT_ENDED")
    );

    // Removing the card ends the session, on screen and on the server.
    card.remove().unwrap();
    wait(&mut h, "the lock after removal", |h| {
        shows(h, "La tarjeta fue retirada del lector") && h.state().state.session.is_none()
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_sessions(&env) != 0 {
        assert!(
            Instant::now() < deadline,
            "the server still holds the session"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The stored signature of the real card verifies.
    let audit = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(
        audit.contains("2 solicitudes firmadas verificadas"),
        "{audit}"
    );
}

/// A file as the desktop hands a dropped one to egui.
#[derive(Debug)]
struct Dropped(PathBuf);

impl eframe::egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn user_drops_a_workbook_sees_its_bad_row_uploads_follows_and_saves_the_result() {
    let env = Env::new();
    let csv = registry_for(&env.inst, "2000");
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ");
    let pedro = env.issue("pedro", USER, "PEDRO", "XOL CAAL");
    let ana_card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    assert_ok(&env.agent(&env.readers[0], &ADD_PEDRO));
    ana_card.remove().unwrap();

    let mut cuis = padron_tests::workbooks::registry_cuis(&csv, 25);
    cuis.push("1234567880101".into());
    let input = env.inst.tmp.path().join("beneficiarios.xlsx");
    std::fs::write(
        &input,
        padron_tests::workbooks::cui_workbook(&cuis, "Bolsa Social"),
    )
    .unwrap();

    let mut h = env.kiosk(1);
    let _card = VirtualCard::insert(&bin("padron-card"), &pedro, 1).unwrap();
    log_in(&mut h, "PEDRO XOL CAAL");
    wait(&mut h, "the user's query screen", |h| {
        shows(h, "Arrastre aquí el libro de cálculo")
    });

    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(input.clone())));
    wait(&mut h, "the pre-check", |h| shows(h, "26 filas"));
    assert!(
        shows(&h, "1 fila con problemas"),
        "the bad CUI is reported before upload"
    );
    assert!(
        shows(&h, "corrija la fila 27"),
        "and how to fix it, by row number"
    );
    assert!(shows(&h, "dígito verificador"));
    assert!(
        h.query_by_label("27").is_some(),
        "the bad row is named by its spreadsheet number"
    );

    // The action says what it will do with the bad row.
    click(&mut h, "Enviar consulta (1 fila se rechazará)");
    // Follow the job frame by frame: the queue position is drawn first (the
    // answer to an upload is always QUEUED), then the progress, then the end.
    let mut states = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        h.step();
        let session = h.state().state.session.as_ref();
        if let Some(Upload::Job(job)) = session.and_then(|s| s.query.upload.as_ref()) {
            let seen = match job.state {
                JobState::Queued if shows(&h, "En cola") => Some(JobState::Queued),
                JobState::Running if shows(&h, "Procesando") => Some(JobState::Running),
                JobState::Done if shows(&h, "Consulta terminada.") => Some(JobState::Done),
                _ => None,
            };
            if let Some(seen) = seen {
                if states.last() != Some(&seen) {
                    states.push(seen);
                }
                if seen == JobState::Done {
                    break;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the job did not finish: {states:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(states.first(), Some(&JobState::Queued), "{states:?}");
    assert_eq!(states.last(), Some(&JobState::Done), "{states:?}");
    let session = h.state().state.session.as_ref().unwrap();
    let Some(Upload::Job(job)) = session.query.upload.clone() else {
        panic!("no job")
    };
    assert_eq!(job.rows, 26);
    assert_eq!(job.progress_percent, 100);
    assert!(h.query_by_label("Descargar en Excel").is_some());
    // The results in words, as tiles in a fixed order.
    assert!(shows(&h, "Encontrados\n25"), "tiles in words");
    assert!(shows(&h, "CUI inválido\n1"));
    assert!(shows(&h, "Fallecidos\n"), "the deceased are counted");

    // The save dialog's answer.
    let output = env.inst.tmp.path().join("resultado.xlsx");
    let session = h.state().state.session.as_ref().unwrap().id;
    h.state_mut().dispatch(Msg::Answer {
        session,
        msg: query::Msg::SaveTarget {
            id: job.id.clone(),
            path: Some(output.clone()),
        }
        .into(),
    });
    wait(&mut h, "the saved result", |h| shows(h, "Guardado en"));
    assert!(h.query_by_label("Abrir carpeta").is_some());
    let rows = padron_tests::workbooks::result_rows(&output);
    assert_eq!(rows.len(), 27);
    assert_eq!(rows.iter().filter(|r| r[16] == "ENCONTRADO").count(), 25);
    assert_eq!(rows[26][16], "CUI_INVALIDO");

    click(&mut h, "Mis consultas");
    wait(&mut h, "the user's jobs", |h| {
        shows(h, "beneficiarios.xlsx") && shows(h, "Finalizada")
    });
    h.check_accessibility();
}

#[test]
fn kiosk_explains_an_inactive_institution_locks_when_idle_and_only_a_coordinator_quits() {
    let env = Env::new();
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ");
    ok(
        "padron-server",
        &[
            "institution",
            "suspend",
            "--data",
            env.inst.data(),
            "--code",
            "MIDES",
            "--reason",
            "payment",
            "--period",
            "2026-10",
        ],
    );
    let mut h = env.app(0, true);
    let _card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    log_in(&mut h, "ANA LÓPEZ");
    wait(&mut h, "the refusal", |h| shows(h, "Institución inactiva"));
    assert!(shows(
        &h,
        "La institución está inactiva y no puede usar el servicio."
    ));
    assert!(
        shows(&h, "falta de pago del consumo de 2026-10"),
        "the cause"
    );
    assert!(shows(&h, "Qué hacer:"), "what to do");
    assert!(h.state().state.session.is_none());
    assert!(
        h.query_by_label("Salir del quiosco").is_none(),
        "no way out without a session"
    );
    h.check_accessibility();

    // The language switch re-words what is on screen.
    click(&mut h, "English");
    wait(&mut h, "English", |h| shows(h, "Institution inactive"));
    assert!(shows(
        &h,
        "The institution is inactive and cannot use the service."
    ));
    assert!(shows(&h, "What to do:"));

    ok(
        "padron-server",
        &[
            "payment",
            "record",
            "--data",
            env.inst.data(),
            "--institution",
            "MIDES",
            "--period",
            "2026-10",
            "--amount",
            "1500.00",
        ],
    );
    type_into(&mut h, "Card PIN", "123456");
    click(&mut h, "Log in");
    wait(&mut h, "the coordinator's session", |h| {
        shows(h, "Institution active") && shows(h, "No users yet")
    });
    assert_eq!(open_sessions(&env), 1);
    // A minute before the lock the person is warned, and may keep working.
    h.state_mut().state.last_input =
        Instant::now() - padron_agent::gui::state::IDLE_LOCK + Duration::from_secs(30);
    wait(&mut h, "the idle warning", |h| {
        shows(h, "The session closes for inactivity in")
    });
    click(&mut h, "Keep working");
    assert!(h.state().state.session.is_some());
    // Five minutes without input lock the kiosk: the session ends on the server.
    h.state_mut().state.last_input =
        Instant::now() - padron_agent::gui::state::IDLE_LOCK - Duration::from_secs(1);
    // The next person finds the kiosk in its own language (Spanish).
    wait(&mut h, "the idle lock", |h| {
        shows(h, "Sesión bloqueada por inactividad") && h.state().state.session.is_none()
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_sessions(&env) != 0 {
        assert!(
            Instant::now() < deadline,
            "the idle lock left the session open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    type_into(&mut h, "PIN de la tarjeta", "123456");
    click(&mut h, "Iniciar sesión");
    wait(&mut h, "the coordinator's session again", |h| {
        shows(h, "Aún no hay usuarios")
    });
    assert_eq!(open_sessions(&env), 1);
    // Kiosk mode: only a coordinator's session offers the way out, and
    // leaving ends the session on the server first.
    click(&mut h, "Salir del quiosco");
    assert!(h.state().state.quitting);
    assert_eq!(
        open_sessions(&env),
        0,
        "the session ended before the window closed"
    );
}

#[test]
fn a_wrong_pin_counts_down_and_a_blocked_card_is_explained() {
    let env = Env::new();
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ");
    let mut h = env.kiosk(0);
    let _card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    log_in_with(&mut h, "ANA LÓPEZ", "999999");
    wait(&mut h, "the first refusal", |h| {
        shows(
            h,
            "El PIN de la tarjeta es incorrecto. Le quedan 2 intentos.",
        )
    });
    assert!(shows(&h, "Intentos restantes: 2"));
    type_into(&mut h, "PIN de la tarjeta", "999999");
    click(&mut h, "Iniciar sesión");
    wait(&mut h, "the last try's warning", |h| {
        shows(
            h,
            "Último intento: si el PIN es incorrecto la tarjeta se bloqueará.",
        )
    });
    type_into(&mut h, "PIN de la tarjeta", "999999");
    click(&mut h, "Iniciar sesión");
    wait(&mut h, "the blocked card", |h| {
        shows(h, "El PIN de la tarjeta está bloqueado")
    });
    assert!(shows(&h, "Acuda a la entidad emisora para desbloquearlo."));
    assert!(
        h.query_by_label("PIN de la tarjeta").is_none(),
        "a blocked card is not asked for its PIN again"
    );
    assert_eq!(open_sessions(&env), 0);
    h.check_accessibility();
}

#[test]
fn a_workstation_not_enrolled_yet_says_what_to_send_and_starts_when_its_files_appear() {
    use padron_agent::gui::launcher::Launcher;
    let env = Env::new();
    let config = env.config(0);
    let name = config.file_name().unwrap().to_owned();
    // The folder the technician will copy the registry's files into.
    let watched_dir = env.inst.tmp.path().join("etc-padron");
    let watched = watched_dir.join(&name);
    let mut h = Harness::builder()
        .with_size([1366.0, 768.0])
        .build_eframe(move |cc| Launcher::new(&cc.egui_ctx, watched, Some(Lang::Es), true, None));
    h.step();
    assert!(shows(
        &h,
        "Esta computadora aún no está inscrita en el registro"
    ));
    assert!(shows(&h, "padron-agent enroll-request --out"));
    assert!(shows(&h, "Envíe al registro el archivo workstation.csr"));
    assert!(h.state().app().is_none());
    h.check_accessibility();
    // The registry's bundle arrives (as a folder, all at once).
    std::os::unix::fs::symlink(config.parent().unwrap(), &watched_dir).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.state().app().is_none() {
        assert!(Instant::now() < deadline, "the kiosk did not start");
        std::thread::sleep(Duration::from_millis(100));
        h.step();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        if shows(&h, "Inserte su documento de identificación") {
            break;
        }
        assert!(Instant::now() < deadline, "no insert-card screen");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn kiosk_saves_a_result_only_to_a_removable_drive_or_the_sessions_folder_wiped_at_logout() {
    let env = Env::new();
    let csv = registry_for(&env.inst, "2000");
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ");
    let pedro = env.issue("pedro", USER, "PEDRO", "XOL CAAL");
    let ana_card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    assert_ok(&env.agent(&env.readers[0], &ADD_PEDRO));
    ana_card.remove().unwrap();
    let cuis = padron_tests::workbooks::registry_cuis(&csv, 5);
    let input = env.inst.tmp.path().join("lista.xlsx");
    std::fs::write(
        &input,
        padron_tests::workbooks::cui_workbook(&cuis, "Bolsa Social"),
    )
    .unwrap();
    // A USB drive "KINGSTON" as the desktop would mount it, and the kiosk's
    // own folder for sessions.
    let media = env.inst.tmp.path().join("media");
    let drive = media.join("KINGSTON");
    std::fs::create_dir_all(&drive).unwrap();
    let sessions = env.inst.tmp.path().join("sessions");

    let mut h = env.app(1, true);
    h.state_mut().state.removable_roots = Some(vec![media.clone()]);
    h.state_mut().state.session_root = sessions.clone();
    let card = VirtualCard::insert(&bin("padron-card"), &pedro, 1).unwrap();
    log_in(&mut h, "PEDRO XOL CAAL");
    wait(&mut h, "the user's query screen", |h| {
        shows(h, "Arrastre aquí el libro de cálculo")
    });
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(input.clone())));
    wait(&mut h, "the pre-check", |h| shows(h, "5 filas"));
    click(&mut h, "Enviar consulta");
    wait(&mut h, "the result card", |h| {
        shows(h, "Consulta terminada.")
    });
    assert!(shows(&h, "Encontrados\n5"));

    // No dialog: the drive plugged in, by its name.
    click(&mut h, "Descargar en Excel");
    wait(&mut h, "the drives", |h| {
        shows(h, "Guardar en la memoria «KINGSTON»")
    });
    click(&mut h, "Guardar en la memoria «KINGSTON»");
    wait(&mut h, "the saved result", |h| shows(h, "Guardado en"));
    assert!(
        h.query_by_label("Abrir carpeta").is_none(),
        "no file manager in kiosk mode"
    );
    let on_drive = drive.join("lista-resultado.xlsx");
    assert_eq!(padron_tests::workbooks::result_rows(&on_drive).len(), 6);

    // Or the session's own folder, wiped when the session ends.
    click(&mut h, "Descargar en Excel");
    wait(&mut h, "the drives again", |h| {
        shows(h, "Guardar solo para esta sesión")
    });
    click(&mut h, "Guardar solo para esta sesión");
    wait(&mut h, "the second save", |h| {
        std::fs::read_dir(&sessions)
            .map(|d| d.count() == 1)
            .unwrap_or(false)
            && shows(h, "Guardado en")
            && h.state().state.session.as_ref().is_some_and(|s| {
                matches!(&s.query.saved, Some(padron_agent::gui::state::Saved::Done(p)) if p.starts_with(&sessions))
            })
    });
    click(&mut h, "Cerrar sesión");
    wait(&mut h, "remove your card", |h| {
        shows(h, "Retire su tarjeta")
    });
    let left: Vec<_> = std::fs::read_dir(&sessions).unwrap().collect();
    assert!(left.is_empty(), "the session's folder is wiped: {left:?}");
    assert!(on_drive.exists(), "what went to the drive stays there");
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_sessions(&env) != 0 {
        assert!(
            Instant::now() < deadline,
            "the logout left the session open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    card.remove().unwrap();
    wait(&mut h, "the next person", |h| {
        shows(h, "Inserte su documento de identificación")
    });
    assert!(!shows(&h, "PEDRO XOL CAAL"));
}

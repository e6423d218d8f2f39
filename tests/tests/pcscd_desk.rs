//! Issue 18 through the agent CLI with virtual cards in a real pcscd: a
//! consulta individual by CUI and by names, a ticket (a mejora refused to a
//! user), and a follow-up case signed with the coordinator's card, worked
//! by the registry and read back by the coordinator; the case's signature
//! verifies in `audit verify`. Serialised with the other pcscd tests.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_drivers::testbed::VirtualCard;
use padron_tests::card_env::{ADD_PEDRO, COORDINATOR, CardEnv as Env, PEDRO as USER, assert_ok};
use padron_tests::{bin, ok, path_str, stderr};

fn line_after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}"))
        .split_whitespace()
        .next()
        .unwrap()
}

#[test]
fn pcscd_desk_one_query_ticket_and_a_signed_case_through_the_agent() {
    let env = Env::new();
    let csv = env.inst.tmp.path().join("registro.csv");
    ok(
        "padron-server",
        &[
            "registry",
            "generate",
            "--persons",
            "2000",
            "--seed",
            "3",
            "--out",
            path_str(&csv),
        ],
    );
    ok(
        "padron-server",
        &[
            "registry",
            "import",
            "--data",
            env.inst.data(),
            path_str(&csv),
        ],
    );
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ", "p256");
    let pedro = env.issue("pedro", USER, "PEDRO", "XOL CAAL", "p256");
    let ana_card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    let pedro_card = VirtualCard::insert(&bin("padron-card"), &pedro, 1).unwrap();
    assert_ok(&env.agent(&ana_card.reader, &ADD_PEDRO));
    let (a, p) = (ana_card.reader.clone(), pedro_card.reader.clone());

    // Consulta individual, by CUI and by names with the date of birth.
    let cuis = padron_tests::workbooks::registry_cuis(&csv, 3);
    let text = assert_ok(&env.agent(
        &p,
        &[
            "query",
            "one",
            "--cui",
            &cuis[0],
            "--programme",
            "Bolsa Social",
        ],
    ));
    assert!(text.contains("Resultado: ENCONTRADO"), "{text}");
    assert!(text.contains(&cuis[0]), "{text}");
    let line = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .find(|l| l.starts_with(&cuis[1]))
        .unwrap()
        .to_owned();
    let f: Vec<&str> = line.split(',').collect();
    let given = f[1..4]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let names = format!("{given}, {} {}", f[4], f[5]);
    let d: Vec<&str> = f[11].split('-').collect();
    let birth = format!("{}/{}/{}", d[2], d[1], d[0]);
    let text = assert_ok(&env.agent(
        &p,
        &[
            "query",
            "one",
            "--names",
            &names,
            "--birth",
            &birth,
            "--programme",
            "Bolsa Social",
        ],
    ));
    assert!(
        text.contains("Resultado: ENCONTRADO") && text.contains(&cuis[1]),
        "{text}"
    );
    assert!(text.contains("Leído como:"), "{text}");
    let out = env.agent(&p, &["query", "one", "--cui", &cuis[0]]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap: the programme is required"
    );

    // Tickets: a user's duda; a user's mejora refused.
    let text = assert_ok(&env.agent(
        &p,
        &[
            "ticket",
            "open",
            "--kind",
            "duda",
            "--subject",
            "Resultado vacío",
            "--text",
            "La columna fecha sale vacía.",
        ],
    ));
    assert!(text.contains("Ticket 1 [DUDA] Resultado vacío"), "{text}");
    assert!(text.contains("estado: RECIBIDO"), "{text}");
    let out = env.agent(
        &p,
        &[
            "ticket",
            "open",
            "--kind",
            "mejora",
            "--subject",
            "x",
            "--text",
            "y",
        ],
    );
    assert!(
        stderr(&out).contains("TICKET_MEJORA_COORDINATOR_ONLY"),
        "{}",
        stderr(&out)
    );
    ok(
        "padron-server",
        &[
            "ticket",
            "reply",
            "--data",
            env.inst.data(),
            "1",
            "--text",
            "Revise el formato de fecha.",
        ],
    );
    let list = assert_ok(&env.agent(&p, &["ticket", "list"]));
    assert!(list.starts_with('*'), "a new reply is marked: {list}");
    let shown = assert_ok(&env.agent(&p, &["ticket", "show", "1"]));
    assert!(shown.contains("Revise el formato de fecha."), "{shown}");

    // A workbook with two persons the registry does not have.
    let mut rows = cuis.clone();
    rows.push("2000000120101".into());
    rows.push("2000000200101".into());
    let input = env.inst.tmp.path().join("padron.xlsx");
    std::fs::write(
        &input,
        padron_tests::workbooks::cui_workbook(&rows, "Bolsa Social"),
    )
    .unwrap();
    let output = env.inst.tmp.path().join("padron-resultado.xlsx");
    let text = assert_ok(&env.agent(
        &p,
        &[
            "query",
            "submit",
            path_str(&input),
            "--wait",
            "--out",
            path_str(&output),
        ],
    ));
    let job = line_after(&text, "Consulta: ").to_owned();

    // The coordinator lists the unresolved rows and sends them as a signed case.
    let listed = assert_ok(&env.agent(&a, &["case", "rows", "--job", &job]));
    assert!(
        listed.contains("REF-00004") && listed.contains("REF-00005"),
        "{listed}"
    );
    let rows_csv = env.inst.tmp.path().join("caso.csv");
    std::fs::write(
        &rows_csv,
        "Referencia,Dirección,Comunidad,Municipio,Teléfono,Observaciones\n\
         REF-00004,\"3a. calle 4-56, zona 1\",Aldea El Rosario,Sololá,5555-0101,\n\
         REF-00005,,Caserío Xecaquixcan,Nahualá,,trabaja en la cabecera\n",
    )
    .unwrap();
    let out = env.agent(
        &p,
        &["case", "send", "--job", &job, "--rows", path_str(&rows_csv)],
    );
    assert!(
        stderr(&out).contains("COORDINATOR_ONLY"),
        "{}",
        stderr(&out)
    );
    let text = assert_ok(&env.agent(
        &a,
        &["case", "send", "--job", &job, "--rows", path_str(&rows_csv)],
    ));
    assert!(text.contains("[RECIBIDO]"), "{text}");
    let case = line_after(&text, "Caso ").to_owned();

    // The registry's desk works it; the coordinator reads each outcome.
    let shown = ok(
        "padron-server",
        &["case", "show", "--data", env.inst.data(), &case],
    );
    assert!(
        shown.contains("3a. calle 4-56, zona 1") && shown.contains("Caserío Xecaquixcan"),
        "{shown}"
    );
    ok(
        "padron-server",
        &[
            "case",
            "update",
            "--data",
            env.inst.data(),
            &case,
            "--row",
            "4",
            "--outcome",
            "verified",
            "--cui",
            "1234567890101",
        ],
    );
    let text = assert_ok(&env.agent(&a, &["case", "show", &case]));
    assert!(
        text.contains("[EN_PROCESO]") && text.contains("VERIFICADO CUI 1234567890101"),
        "{text}"
    );
    assert!(text.contains("pendiente"), "{text}");
    let list = assert_ok(&env.agent(&a, &["case", "list"]));
    assert!(list.contains(&case) && list.contains("1/2"), "{list}");

    // The card's signature on the case is evidence like a user request's.
    let audit = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(
        audit.contains("2 solicitudes firmadas verificadas"),
        "{audit}"
    );
}

//! The social programmes on an institution's agreement (issue 17): the
//! registry admin records them; a user added for another programme and a
//! workbook with a row for another programme are refused with
//! `PROGRAMME_NOT_IN_AGREEMENT`; case, accents and spacing do not count;
//! without a list any programme is accepted; the kiosk learns the list.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_tests::consulta::{registry, upload, user_token};
use padron_tests::eid::new_user;
use padron_tests::fixture::{Env, cui};
use padron_tests::ok;
use padron_tests::workbooks::{cui_workbook, cui_workbook_rows, registry_cuis};

fn set(env: &Env, programmes: &[&str]) -> String {
    let mut args = vec![
        "agreement",
        "programmes",
        "--data",
        env.inst.data(),
        "--institution",
        "MIDES",
    ];
    for p in programmes {
        args.extend(["--programme", p]);
    }
    ok("padron-server", &args)
}

#[test]
fn the_agreements_programmes_bound_users_and_every_query_row() {
    let env = Env::new();
    let csv = registry(&env, "300");
    let out = set(&env, &["Bolsa Social", "Bono  Social", "bolsa social"]);
    assert!(
        out.contains("Bolsa Social, Bono Social"),
        "one of each: {out}"
    );

    // The user of `user_token` is for "Bolsa Social": accepted.
    let token = user_token(&env, &env.ws1, 1);
    let ana = env.coordinator();
    let coordinator = env.login(&env.ws1, &ana);
    let mut stray = new_user(&cui(2), "Otra Persona");
    stray.programme = Some("Programa Inventado".into());
    assert_eq!(
        env.add(&ana, &coordinator.token, stray.clone()),
        Err("PROGRAMME_NOT_IN_AGREEMENT".into())
    );

    let cuis = registry_cuis(&csv, 3);
    upload(
        &env,
        &env.ws1,
        &token,
        "bien.xlsx",
        cui_workbook(&cuis, "BOLSA  social"),
    )
    .unwrap();
    let rows = [
        (cuis[0].as_str(), "Bono Social"),
        (cuis[1].as_str(), "Programa Inventado"),
        (cuis[2].as_str(), "Bolsa Social"),
    ];
    assert_eq!(
        upload(&env, &env.ws1, &token, "mal.xlsx", cui_workbook_rows(&rows)).unwrap_err(),
        (403, "PROGRAMME_NOT_IN_AGREEMENT".to_owned())
    );

    // The consulta individual is held to the same list.
    let one = |programme: &str| {
        let response = env
            .ws1
            .post(env.url("/v1/queries/one"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "cui": cuis[0], "programme": programme }))
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().unwrap_or_default();
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(one("bono  SOCIAL").0, 200);
    assert_eq!(
        one("Programa Inventado"),
        (403, "PROGRAMME_NOT_IN_AGREEMENT".to_owned())
    );

    // The list cleared: any programme again.
    let out = set(&env, &[]);
    assert!(out.contains("cualquiera"), "{out}");
    upload(&env, &env.ws1, &token, "mal.xlsx", cui_workbook_rows(&rows)).unwrap();
    assert_eq!(env.add(&ana, &coordinator.token, stray), Ok("DONE".into()));
}

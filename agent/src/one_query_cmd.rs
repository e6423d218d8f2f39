//! `padron-agent query one`: one person verified at the desk.

use padron_shared::Lang;
use padron_shared::single::{OneAnswer, OneQuery, PersonFields};

use crate::card_session::SessionError;
use crate::client::Client;

/// Asks the server and prints the answer as a card of fields a–o.
pub async fn run(
    client: &Client,
    token: &str,
    query: OneQuery,
    lang: Lang,
) -> Result<(), SessionError> {
    let answer = client.one_query(token, &query).await?;
    print!("{}", render(&answer, lang));
    Ok(())
}

/// `dd/mm/aaaa` from `aaaa-mm-dd`.
pub fn day(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    match p.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

fn person(out: &mut String, p: &PersonFields, lang: Lang, indent: &str) {
    let names = [&p.primer_nombre, &p.segundo_nombre, &p.tercer_nombre]
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let rows: Vec<(&str, &str, String)> = vec![
        ("CUI", "CUI", p.cui.clone()),
        ("nombres", "given names", names),
        (
            "primer apellido",
            "first surname",
            p.primer_apellido.clone(),
        ),
        (
            "segundo apellido",
            "second surname",
            p.segundo_apellido.clone(),
        ),
        (
            "apellido de casada",
            "married surname",
            p.apellido_casada.clone(),
        ),
        ("sexo", "sex", p.sexo.clone()),
        (
            "país de nacimiento",
            "country of birth",
            p.pais_nacimiento.clone(),
        ),
        (
            "departamento",
            "department",
            p.departamento_nacimiento.clone(),
        ),
        ("municipio", "municipality", p.municipio_nacimiento.clone()),
        (
            "fecha de nacimiento",
            "date of birth",
            day(&p.fecha_nacimiento),
        ),
        (
            "fallecido",
            "deceased",
            if p.fallecido {
                lang.pick("SÍ", "YES")
            } else {
                lang.pick("NO", "NO")
            }
            .to_owned(),
        ),
    ];
    for (es, en, v) in rows {
        if !v.is_empty() {
            out.push_str(&format!(
                "{indent}{:<22} {v}\n",
                format!("{}:", lang.pick(es, en))
            ));
        }
    }
    if let Some(d) = &p.fecha_defuncion {
        out.push_str(&format!(
            "{indent}{:<22} {}\n",
            format!("{}:", lang.pick("fecha de defunción", "date of death")),
            day(d)
        ));
    }
    if let Some(d) = &p.fecha_inscripcion_defuncion {
        out.push_str(&format!(
            "{indent}{:<22} {}\n",
            format!("{}:", lang.pick("defunción inscrita", "death registered")),
            day(d)
        ));
    }
}

/// The answer as text (also what the kiosk's tab shows, line by line).
pub fn render(a: &OneAnswer, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} {}  ({} {}, {} {})\n",
        lang.pick("Resultado:", "Result:"),
        a.resultado,
        lang.pick("programa", "programme"),
        a.programme,
        lang.pick("consulta", "query"),
        a.id
    ));
    if let Some(s) = a.puntaje {
        out.push_str(&format!("{} {s:.1} %\n", lang.pick("Puntaje:", "Score:")));
    }
    if let Some(r) = &a.read_as {
        out.push_str(&format!("{} {r}\n", lang.pick("Leído como:", "Read as:")));
    }
    if let Some(p) = &a.person {
        person(&mut out, p, lang, "  ");
    }
    if !a.observaciones.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            lang.pick("Observaciones:", "Remarks:"),
            a.observaciones
        ));
    }
    for (i, c) in a.candidates.iter().enumerate() {
        out.push_str(&format!(
            "{} {} — {:.1} % — {}\n",
            lang.pick("Candidato", "Candidate"),
            i + 1,
            c.puntaje,
            c.lo_distingue
        ));
        person(&mut out, &c.person, lang, "    ");
    }
    out
}

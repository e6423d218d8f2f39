//! The OpenAPI 3.1 document of `/v1`, derived from the handlers'
//! `#[utoipa::path]` attributes and the bodies' `ToSchema` derives, served
//! at `/v1/openapi.json` and committed as `docs/openapi.json`. A test fails
//! when the two differ; `UPDATE_OPENAPI=1` on that test rewrites the file.

use axum::Json;
use padron_shared::ErrorBody;
use utoipa::OpenApi;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Padrón /v1",
        description = "The API workstations use over mutual TLS: the client certificate \
            identifies the enrolled workstation on every request; a card login gives the \
            bearer token of a session. Every refusal is an `ErrorBody` with a stable code.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        super::routes::whoami,
        super::routes::health,
        super::routes::openapi_json,
        super::account::challenge,
        super::account::login,
        super::account::logout,
        super::account::session,
        super::account::users,
        super::account::requests,
        super::account::submit,
        super::queries::upload,
        super::queries::list,
        super::queries::status,
        super::queries::result,
        super::reports::user_activity,
        super::queries::attention,
        super::one_query::one,
        super::cases::unresolved,
        super::cases::submit,
        super::cases::list,
        super::cases::show,
        super::tickets::open,
        super::tickets::list,
        super::tickets::show,
        super::tickets::reopen,
    ),
    components(schemas(ErrorBody, Binary)),
    modifiers(&Security, &Links),
    security(("workstation" = [])),
    tags(
        (name = "workstation", description = "Who is calling; the server's health."),
        (name = "auth", description = "Card login and the session."),
        (name = "coordination", description = "A coordinator's users and signed requests."),
        (name = "queries", description = "Consulta Social: workbooks in, results out."),
        (name = "reports", description = "What a coordinator may learn of its users' queries."),
        (name = "cases", description = "Follow-up of rows the registry could not resolve: signed cases to its identity-verification desk."),
        (name = "tickets", description = "The service desk: questions, incidents and improvement requests."),
    )
)]
pub struct ApiDoc;

/// Bytes of a file (a workbook in, a result out).
#[derive(Debug, utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
// Only a schema: the handlers send the bytes themselves, never this value.
#[allow(dead_code)]
pub struct Binary(pub Vec<u8>);

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "workstation",
            SecurityScheme::MutualTls {
                description: Some(
                    "The enrolled workstation's certificate (issued by `padron-server \
                     workstation enroll`), on every request."
                        .into(),
                ),
                deprecated: None,
                extensions: None,
            },
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token of `POST /v1/auth/login`."))
                    .build(),
            ),
        );
    }
}

/// The links a client (and Schemathesis' stateful phase) follows: an
/// upload's id to its status and its result.
struct Links;

impl utoipa::Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(item) = openapi.paths.paths.get_mut("/v1/queries") else {
            return;
        };
        let Some(post) = item.post.as_mut() else {
            return;
        };
        if let Some(RefOr::T(accepted)) = post.responses.responses.get_mut("202") {
            add_link(accepted, "status", "status");
            add_link(accepted, "result", "result");
        }
    }
}

fn add_link(response: &mut Response, name: &str, operation: &str) {
    response.links.insert(
        name.to_owned(),
        RefOr::T(
            LinkBuilder::new()
                .operation_id(operation)
                .parameter("id", "$response.body#/id")
                .build(),
        ),
    );
}

/// The document as served and committed.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Pretty JSON with a final newline: the committed file's exact bytes.
#[cfg(test)]
pub fn document_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

pub async fn serve_document() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[cfg(test)]
mod tests {
    /// CI fails when the committed document and the code disagree.
    #[test]
    fn the_committed_openapi_document_is_the_one_the_code_generates() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
        let generated = super::document_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &generated).expect("write docs/openapi.json");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi.json differs from the document the handlers generate.\n\
             Regenerate it with:\n    UPDATE_OPENAPI=1 cargo nextest run --workspace -E \
             'test(the_committed_openapi_document_is_the_one_the_code_generates)'\n\
             and commit the result."
        );
        let value: serde_json::Value = serde_json::from_str(&generated).expect("JSON");
        assert_eq!(value["openapi"], "3.1.0");
    }
}

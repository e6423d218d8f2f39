//! The agent's calls for the desk (issue 18): consulta individual, cases,
//! tickets. Kept apart from `client.rs`, on its generic `send`.

use padron_shared::cases::{CaseView, UnresolvedRow};
use padron_shared::single::{OneAnswer, OneQuery};
use padron_shared::tickets::{NewTicket, TicketText, TicketView};
use padron_shared::users::SignedRequest;
use reqwest::Method;

use crate::client::{Client, ClientError};

impl Client {
    /// `POST /v1/queries/one`.
    pub async fn one_query(
        &self,
        bearer: &str,
        query: &OneQuery,
    ) -> Result<OneAnswer, ClientError> {
        self.send(Method::POST, "/v1/queries/one", Some(bearer), Some(query))
            .await
            .map(|(v, _)| v)
    }

    /// A finished job's NO_ENCONTRADO / AMBIGUO rows (coordinators).
    pub async fn unresolved(
        &self,
        bearer: &str,
        job: &str,
    ) -> Result<Vec<UnresolvedRow>, ClientError> {
        self.send::<_, ()>(
            Method::GET,
            &format!("/v1/queries/{job}/unresolved"),
            Some(bearer),
            None,
        )
        .await
        .map(|(v, _)| v)
    }

    pub async fn send_case(
        &self,
        bearer: &str,
        signed: &SignedRequest,
    ) -> Result<CaseView, ClientError> {
        self.send(Method::POST, "/v1/cases", Some(bearer), Some(signed))
            .await
            .map(|(v, _)| v)
    }

    pub async fn cases(&self, bearer: &str) -> Result<Vec<CaseView>, ClientError> {
        self.send::<_, ()>(Method::GET, "/v1/cases", Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    pub async fn case(&self, bearer: &str, id: &str) -> Result<CaseView, ClientError> {
        self.send::<_, ()>(Method::GET, &format!("/v1/cases/{id}"), Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    pub async fn open_ticket(
        &self,
        bearer: &str,
        t: &NewTicket,
    ) -> Result<TicketView, ClientError> {
        self.send(Method::POST, "/v1/tickets", Some(bearer), Some(t))
            .await
            .map(|(v, _)| v)
    }

    pub async fn tickets(&self, bearer: &str) -> Result<Vec<TicketView>, ClientError> {
        self.send::<_, ()>(Method::GET, "/v1/tickets", Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    pub async fn ticket(&self, bearer: &str, id: i64) -> Result<TicketView, ClientError> {
        self.send::<_, ()>(
            Method::GET,
            &format!("/v1/tickets/{id}"),
            Some(bearer),
            None,
        )
        .await
        .map(|(v, _)| v)
    }

    pub async fn reopen_ticket(
        &self,
        bearer: &str,
        id: i64,
        text: &str,
    ) -> Result<TicketView, ClientError> {
        let body = TicketText {
            text: text.to_owned(),
        };
        self.send(
            Method::POST,
            &format!("/v1/tickets/{id}/reopen"),
            Some(bearer),
            Some(&body),
        )
        .await
        .map(|(v, _)| v)
    }
}

//! The Padrón workstation agent: its configuration, the mutual-TLS client
//! of the server API, and enrolment requests. The CLI (`main.rs`) and the kiosk
//! GUI ([`gui`]) are thin layers over this library.

pub mod account_cmd;
pub mod activity_report;
pub mod card_info;
pub mod card_session;
pub mod case_cmd;
pub mod cli;
pub mod client;
pub mod config;
pub mod desk_client;
pub mod enroll;
pub mod gui;
pub mod one_query_cmd;
pub mod precheck;
pub mod query_cmd;
pub mod report_cmd;
pub mod template;
pub mod ticket_cmd;
pub mod user_admin;

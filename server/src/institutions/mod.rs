//! Institutions as the registry administers them: the admin actions, the
//! status rules, the lifecycle pass (90 days, January), agreements and the
//! calendar they count in.

pub mod admin;
pub mod calendar;
pub mod lifecycle;
pub mod status;

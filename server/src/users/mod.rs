//! An institution's users: the coordinator's signed altas, bajas and
//! updates, verified and applied.

pub mod requests;

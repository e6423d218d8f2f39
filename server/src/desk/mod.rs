//! What institutions did by letter, e-mail, phone or compact disc, done in
//! the product with the same card, audit and rules (issue 18): one person
//! verified at the desk ([`single`]), unresolved rows sent to the
//! registry's identity-verification desk as a signed case ([`cases`]), and
//! the service desk's tickets ([`tickets`]).

pub mod answer;
pub mod cases;
pub mod single;
pub mod tickets;

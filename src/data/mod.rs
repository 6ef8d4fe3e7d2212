//! Data in: the demo generator, CSV ingest into typed columns, column roles, validation, binning.
//!
//! Knows nothing of models; everything downstream reads the types defined here.
//! Flow: bytes → [`table::Table`] → ([`roles::Roles`]) → [`prepare::Prepared`] + report → [`crate::learners::Design`].

pub mod binning;
pub mod generate;
pub mod memory;
pub mod prepare;
pub mod roles;
pub mod summary;
pub mod table;

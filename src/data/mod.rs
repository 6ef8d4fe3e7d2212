//! Data in: the demo generator, CSV ingest into typed columns, column roles, validation, binning.
//!
//! Knows nothing of models; everything downstream reads the types defined here.

pub mod binning;
pub mod generate;

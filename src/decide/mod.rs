//! Decisions from scores: archetypes, review queue, campaign simulator and fairness audit; no model fitting.
//!
//! Reading order: [`scored`] (the input, however τ̂ was made) → [`archetype`] → [`review`] →
//! [`simulator`] (policies, budgets, KPIs) → [`fairness`] (audit of the targeted set) →
//! [`fair_targeting`] (per-group thresholds that meet a disparate-impact level) → [`rules`] (readable
//! segment rules per archetype) → [`report`] (one budget query with its audits, for the CLI and the page).

pub mod archetype;
pub mod fair_targeting;
pub mod fairness;
pub mod report;
pub mod review;
pub mod rules;
pub mod scored;
pub mod simulator;

pub use archetype::{Archetype, ArchetypeParams, Archetypes};
pub use scored::Scored;
pub use simulator::{Budget, Policy, SimParams, Simulator};

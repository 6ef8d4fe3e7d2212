//! Decisions from scores: archetypes, review queue, campaign simulator and fairness audit.

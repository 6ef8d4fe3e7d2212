//! Uplift estimation: propensity, S/T/X/DR meta-learners, cross-fitting and per-row uncertainty.

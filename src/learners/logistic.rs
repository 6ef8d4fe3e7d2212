//! Logistic regression (weighted, ridge): the second base learner and the propensity model.

//! Metrics that judge uplift scores: Qini and uplift curves, AUUC, uplift@k, deciles, bootstrap intervals, calibration.

//! The campaign report: one budget query with its fairness audits, as the native `uplift simulate` prints it
//! (JSON) and the page's campaign panel renders it; assembles results, computes nothing new.

use serde::{Deserialize, Serialize};

use super::fairness::Audit;
use super::fairness::{AuditParams, FairnessIndex, GroupColumn};
use super::scored::Scored;
use super::simulator::{Budget, BudgetCurve, Policy, SimParams, Simulation, Simulator};
use crate::error::Result;

/// Per policy KPIs with intervals, the headline, optionally the budget curve, and per audited attribute the
/// group rates, disparate impact, statistical parity and the 80 % verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignReport {
    pub simulation: Simulation,
    /// The policy whose targeted set the audits describe.
    pub audited_policy: Policy,
    pub audits: Vec<Audit>,
    pub curve: Option<BudgetCurve>,
}

/// Answer one budget from a built simulator and its fairness indexes (the page's path: O(log n + groups)).
pub fn campaign_report(
    sim: &Simulator,
    audits: &[(&FairnessIndex, &AuditParams)],
    budget: Budget,
    audited_policy: Policy,
    with_curve: bool,
) -> Result<CampaignReport> {
    let simulation = sim.simulate(budget)?;
    let audits = audits
        .iter()
        .map(|(idx, p)| idx.audit(audited_policy, simulation.targeted, p))
        .collect::<Result<Vec<_>>>()?;
    Ok(CampaignReport {
        simulation,
        audited_policy,
        audits,
        curve: with_curve.then(|| sim.curve()),
    })
}

/// Build everything and answer one budget (the native command's one-shot path).
pub fn campaign_report_once(
    scored: &Scored,
    params: &SimParams,
    budget: Budget,
    attributes: Vec<(GroupColumn, AuditParams)>,
    with_curve: bool,
) -> Result<CampaignReport> {
    let sim = Simulator::build(scored, params)?;
    let mut built = Vec::with_capacity(attributes.len());
    for (col, p) in attributes {
        built.push((FairnessIndex::build(&sim, col)?, p));
    }
    let refs: Vec<(&FairnessIndex, &AuditParams)> = built.iter().map(|(i, p)| (i, p)).collect();
    campaign_report(&sim, &refs, budget, Policy::Uplift, with_curve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_report_serialises_in_camel_case() {
        let s = Scored::new(
            vec![0.04, 0.03, 0.02, 0.01],
            vec![true, false, true, false],
            vec![1.0, 0.0, 0.0, 0.0],
        );
        let col = GroupColumn::categorical("g", &["x", "y", "x", "y"]).unwrap();
        let r = campaign_report_once(
            &s,
            &SimParams::default(),
            Budget::Share(0.5),
            vec![(col, AuditParams::default())],
            false,
        )
        .unwrap();
        // Top 2 by uplift = users 0 (x) and 1 (y): rates 1/2 and 1/2 ⇒ DI 1.
        assert_eq!(r.audits[0].disparate_impact, Some(1.0));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"auditedPolicy\":\"uplift\""));
        assert!(json.contains("\"incrementalRoas\""));
        assert!(json.contains("\"disparateImpact\":1.0"));
        assert!(json.contains("\"budget\":{\"kind\":\"share\",\"value\":0.5}"));
    }
}

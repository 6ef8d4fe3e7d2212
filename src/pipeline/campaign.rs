//! Decisions over scores, bundled for the page's sliders and `uplift simulate`: archetypes, review queue,
//! simulator and fairness indexes built once; each budget move is then one cheap [`Campaign::view`].

use serde::{Deserialize, Serialize};

use crate::data::prepare::Prepared;
use crate::data::table::{Table, MISSING_CODE};
use crate::decide::archetype::{assign, ArchetypeParams, Archetypes};
use crate::decide::fair_targeting::{FairTargeter, FairTargeting, FairTargetingParams};
use crate::decide::fairness::{Audit, AuditParams, FairnessIndex, GroupColumn};
use crate::decide::review::{review, ReviewParams, ReviewQueue};
use crate::decide::simulator::{Budget, Policy, SimParams, Simulation, Simulator};
use crate::decide::Scored;
use crate::error::{Error, Result};

/// Every decision setting. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct CampaignParams {
    pub archetypes: ArchetypeParams,
    pub review: ReviewParams,
    pub simulator: SimParams,
    pub audit: AuditParams,
    pub fair_targeting: FairTargetingParams,
}

/// What the page shows for one budget.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignView {
    pub simulation: Simulation,
    /// One audit per attribute, of the uplift policy's targeted set.
    pub audits: Vec<Audit>,
    /// Per attribute: per-group thresholds reaching the disparate-impact level at the same budget, and its cost.
    pub fair_targeting: Vec<FairTargeting>,
}

/// Scores plus every decision structure built from them.
pub struct Campaign {
    pub scored: Scored,
    pub archetypes: Archetypes,
    pub review: ReviewQueue,
    pub simulator: Simulator,
    pub fairness: Vec<FairnessIndex>,
    fair: Vec<FairTargeter>,
    /// Per attribute, the privileged group named by the user (AIF360 style), if any.
    privileged: Vec<Option<String>>,
    pub params: CampaignParams,
}

impl Campaign {
    /// Build archetypes, review flags, the simulator's sorted prefix sums and one fairness index per attribute.
    pub fn build(
        scored: Scored,
        attributes: Vec<GroupColumn>,
        params: CampaignParams,
    ) -> Result<Campaign> {
        let mut archetype_params = params.archetypes.clone();
        archetype_params.cost_per_contact = params.simulator.contact_cost();
        if let Some(v) = params.simulator.value_per_conversion {
            archetype_params.value_per_conversion = v;
        }
        let archetypes = assign(&scored, &archetype_params)?;
        let queue = review(&scored, &archetypes, &params.review)?;
        let simulator = Simulator::build(&scored, &params.simulator)?;
        let mut fairness = Vec::with_capacity(attributes.len());
        let mut fair = Vec::with_capacity(attributes.len());
        for column in attributes {
            let index = FairnessIndex::build(&simulator, column)?;
            fair.push(FairTargeter::build(&simulator, &index, &scored)?);
            fairness.push(index);
        }
        Ok(Campaign {
            scored,
            archetypes,
            review: queue,
            simulator,
            fairness,
            privileged: vec![None; fair.len()],
            fair,
            params,
        })
    }

    /// Name the privileged group of attribute `i` (`None`: compare the lowest with the highest rate).
    pub fn set_privileged(&mut self, i: usize, group: Option<String>) -> Result<()> {
        if let Some(g) = &group {
            self.fairness[i].column.code_of(g)?;
        }
        self.privileged[i] = group;
        Ok(())
    }

    /// The privileged group named for attribute `i`, if any.
    pub fn privileged(&self, i: usize) -> Option<&str> {
        self.privileged.get(i).and_then(|p| p.as_deref())
    }

    /// KPIs of every policy at this budget, the audit of the uplift policy's targeted set, and the
    /// fairness-aware alternative.
    pub fn view(&self, budget: Budget) -> Result<CampaignView> {
        let simulation = self.simulator.simulate(budget)?;
        let k = simulation.targeted;
        let audits = self
            .fairness
            .iter()
            .zip(&self.privileged)
            .map(|(f, p)| {
                let params = AuditParams {
                    privileged: p.clone().or(self.params.audit.privileged.clone()),
                    ..self.params.audit.clone()
                };
                f.audit(Policy::Uplift, k, &params)
            })
            .collect::<Result<Vec<_>>>()?;
        let fair_targeting = self
            .fair
            .iter()
            .map(|f| f.solve(k, &self.params.fair_targeting))
            .collect::<Result<Vec<_>>>()?;
        Ok(CampaignView {
            simulation,
            audits,
            fair_targeting,
        })
    }
}

/// The audit groups of a column for the kept rows: its text levels (≤ 50), or a numeric column cut at quartiles.
pub fn attribute_column(table: &Table, name: &str, rows: &[u32]) -> Result<GroupColumn> {
    let col = table.column(name)?;
    if let (Some(codes), true) = (
        &col.codes,
        col.levels.len() <= crate::decide::fairness::MAX_GROUPS,
    ) {
        let values: Vec<&str> = rows
            .iter()
            .map(|&i| match codes[i as usize] {
                MISSING_CODE => "",
                c => col.levels[c as usize].as_str(),
            })
            .collect();
        return GroupColumn::categorical(name, &values);
    }
    if let Some(numbers) = &col.numbers {
        let values: Vec<f64> = rows.iter().map(|&i| numbers[i as usize]).collect();
        let edges = GroupColumn::default_edges(&values, 4);
        return GroupColumn::numeric(name, &values, &edges);
    }
    Err(Error::AuditColumn {
        column: name.to_string(),
    })
}

/// The kept rows' arms, outcomes and revenue around the given score columns.
pub fn scored_from(
    prepared: &Prepared,
    uplift: Vec<f64>,
    uplift_se: Option<Vec<f64>>,
    p_control: Option<Vec<f64>>,
    p_treated: Option<Vec<f64>>,
    response_score: Option<Vec<f64>>,
) -> Scored {
    Scored {
        uplift,
        uplift_se,
        p_control,
        p_treated,
        response_score,
        treatment: prepared.treatment.clone(),
        outcome: prepared.outcome.clone(),
        revenue: prepared.revenue.clone(),
    }
}

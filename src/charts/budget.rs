//! Budget curve: one KPI against the share of users targeted, one line per policy, with the current slider
//! position and the break-even share. Draws only (it redraws on every slider move, so it stays cheap).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{chart_err, draw_message, padded_range, theme};
use crate::decide::simulator::{BudgetCurve, CurvePoint, Policy};
use crate::error::Result;

/// The KPI on the y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BudgetKpi {
    /// Incremental conversions measured on the test (RCT estimate).
    IncrementalConversions,
    /// Incremental revenue ÷ spend.
    IncrementalRoas,
    /// Incremental revenue − spend.
    Profit,
    /// Money spent on contacts.
    Spend,
}

impl BudgetKpi {
    /// The KPI of one curve point; `None` where it is undefined (e.g. no control user targeted).
    pub fn value(self, p: &CurvePoint) -> Option<f64> {
        match self {
            BudgetKpi::IncrementalConversions => p.incremental_conversions,
            BudgetKpi::IncrementalRoas => p.incremental_roas,
            BudgetKpi::Profit => p.profit,
            BudgetKpi::Spend => Some(p.spend),
        }
        .filter(|v| v.is_finite())
    }

    /// The y-axis title, with its unit.
    pub fn axis(self) -> &'static str {
        match self {
            BudgetKpi::IncrementalConversions => "incremental conversions",
            BudgetKpi::IncrementalRoas => "incremental ROAS (revenue ÷ spend)",
            BudgetKpi::Profit => "profit (money)",
            BudgetKpi::Spend => "spend (money)",
        }
    }

    /// The chart's caption.
    pub fn caption(self) -> &'static str {
        match self {
            BudgetKpi::IncrementalConversions => "Incremental conversions by budget",
            BudgetKpi::IncrementalRoas => "Incremental ROAS by budget",
            BudgetKpi::Profit => "Profit by budget",
            BudgetKpi::Spend => "Spend by budget",
        }
    }
}

fn colour(p: Policy) -> RGBColor {
    match p {
        Policy::Uplift => theme::PRIMARY,
        Policy::ConversionRate => theme::RESPONSE,
        Policy::Everyone => theme::INK,
        Policy::Random => theme::REFERENCE,
    }
}

/// Draw `kpi` against the share of users targeted (%) for every series of `curve`, a vertical line at
/// `current_share` (0–1) and one at the uplift policy's break-even share. Points where the KPI is undefined
/// leave a gap. With no defined point, draws a "no data" message.
pub fn draw_budget_curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curve: &BudgetCurve,
    kpi: BudgetKpi,
    current_share: Option<f64>,
) -> Result<()> {
    let values = || {
        curve
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(move |p| kpi.value(p)))
    };
    if values().next().is_none() {
        return draw_message(
            root,
            kpi.caption(),
            "No data: this number is not defined for these users.",
        );
    }
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let roas_one = (kpi == BudgetKpi::IncrementalRoas).then_some(1.0);
    let (lo, hi) = padded_range(values().chain(roas_one));
    let small = root.dim_in_pixel().0 < 480;
    let mut chart = ChartBuilder::on(root)
        .caption(
            kpi.caption(),
            (theme::FONT, 16).into_font().color(&theme::INK),
        )
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(if small { 44 } else { 56 })
        .build_cartesian_2d(0.0..100.0, lo..hi)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .bold_line_style(theme::GRID)
        .light_line_style(theme::BACKGROUND)
        .x_labels(if small { 5 } else { 11 })
        .y_labels(6)
        .x_desc("share of users targeted (%)")
        .y_desc(kpi.axis())
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| {
            if kpi == BudgetKpi::IncrementalRoas {
                format!("{v:.2}")
            } else {
                super::qini::count(*v)
            }
        })
        .axis_desc_style((theme::FONT, 12))
        .label_style((theme::FONT, 11))
        .draw()
        .map_err(chart_err)?;
    if let Some(one) = roas_one {
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, one), (100.0, one)],
                4,
                4,
                theme::REFERENCE.stroke_width(1),
            ))
            .map_err(chart_err)?;
    }
    for s in &curve.series {
        let c = colour(s.policy);
        let width = if s.policy == Policy::Uplift { 2 } else { 1 };
        // One path per run of defined points.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for p in &s.points {
            match kpi.value(p) {
                Some(v) => runs.last_mut().map_or((), |r| r.push((p.share * 100.0, v))),
                None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(Vec::new()),
                None => {}
            }
        }
        runs.retain(|r| !r.is_empty());
        if runs.is_empty() {
            continue;
        }
        chart
            .draw_series(
                runs.into_iter()
                    .map(|r| PathElement::new(r, c.stroke_width(width))),
            )
            .map_err(chart_err)?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(width)));
    }
    let label = (theme::FONT, if small { 10 } else { 11 }).into_font();
    let mut marker = |share: f64, text: String, style: ShapeStyle, row: i32| -> Result<()> {
        let x = (share * 100.0).clamp(0.0, 100.0);
        chart
            .draw_series(std::iter::once(PathElement::new([(x, lo), (x, hi)], style)))
            .map_err(chart_err)?;
        let (px, py) = chart.backend_coord(&(x, hi));
        let anchor = if x > 60.0 { HPos::Right } else { HPos::Left };
        let dx = if x > 60.0 { -3 } else { 3 };
        root.draw(&Text::new(
            text,
            (px + dx, py + 2 + row * 14),
            label.color(&style.color).pos(Pos::new(anchor, VPos::Top)),
        ))
        .map_err(chart_err)
    };
    if let Some(b) = curve.break_even_share {
        marker(
            b,
            format!("break-even {:.0}%", b * 100.0),
            theme::PERSUADABLE.stroke_width(1),
            1,
        )?;
    }
    if let Some(s) = current_share.filter(|s| s.is_finite()) {
        marker(
            s,
            format!("current {:.0}%", s * 100.0),
            theme::INK.stroke_width(2),
            0,
        )?;
    }
    chart
        .configure_series_labels()
        .position(if kpi == BudgetKpi::Spend {
            SeriesLabelPosition::UpperLeft
        } else {
            SeriesLabelPosition::LowerRight
        })
        .background_style(theme::BACKGROUND.mix(0.85))
        .border_style(theme::GRID)
        .label_font((theme::FONT, if small { 10 } else { 11 }))
        .draw()
        .map_err(chart_err)?;
    Ok(())
}

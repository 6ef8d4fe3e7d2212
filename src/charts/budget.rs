//! Budget curve: one KPI against the share of users targeted, one line per policy, with the current slider
//! position and the break-even share. Draws only. The page draws the curves once ([`draw_budget_layer`], which
//! measures its text) and per slider move only the current-share marker ([`draw_budget_marker`], no text measured)
//! over a copy of that layer; [`draw_budget_curve`] is both in one call (SVG, the CLI).

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

/// Where the plot area of a drawn budget chart lies, in pixels of its drawing area: what
/// [`draw_budget_marker`] needs to mark a share without drawing (or measuring) the chart again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetFrame {
    /// Pixel x of 0 % of users targeted.
    pub x0: i32,
    /// Pixel x of 100 % of users targeted.
    pub x100: i32,
    /// Pixel y of the top of the plot area.
    pub top: i32,
    /// Pixel y of the bottom of the plot area.
    pub bottom: i32,
    /// A narrow chart (under 480 pixels): smaller label font.
    pub small: bool,
}

impl BudgetFrame {
    /// Pixel x of a share (0–1, clamped), rounded to the nearest pixel.
    pub fn x_of(&self, share: f64) -> i32 {
        let s = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.x0 + (f64::from(self.x100 - self.x0) * s).round() as i32
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
    let frame = draw_budget_layer(root, curve, kpi)?;
    match (frame, current_share) {
        (Some(frame), Some(share)) => draw_budget_marker(root, &frame, share),
        _ => Ok(()),
    }
}

/// The marker of the current share (0–1): a vertical line over the plot area of `frame` and its label
/// ("current 30%"), drawn over a budget chart [`draw_budget_layer`] drew with the same size. Measures no
/// text (the label is anchored by the backend), so it is cheap enough for every slider move. A share that
/// is not a number draws nothing.
pub fn draw_budget_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &BudgetFrame,
    share: f64,
) -> Result<()> {
    if !share.is_finite() {
        return Ok(());
    }
    let x = frame.x_of(share);
    let style = theme::INK.stroke_width(2);
    root.draw(&PathElement::new(
        [(x, frame.top), (x, frame.bottom)],
        style,
    ))
    .map_err(chart_err)?;
    let label = (theme::FONT, if frame.small { 10 } else { 11 }).into_font();
    let right = share.clamp(0.0, 1.0) > 0.6;
    let (anchor, dx) = if right {
        (HPos::Right, -3)
    } else {
        (HPos::Left, 3)
    };
    root.draw(&Text::new(
        format!("current {:.0}%", share.clamp(0.0, 1.0) * 100.0),
        (x + dx, frame.top + 2),
        label.color(&style.color).pos(Pos::new(anchor, VPos::Top)),
    ))
    .map_err(chart_err)
}

/// Everything of the budget chart but the current-share marker: the curves, axes, legend and the break-even
/// line. Returns where the plot area lies (for [`draw_budget_marker`]), or `None` when it drew the "no data"
/// message instead.
pub fn draw_budget_layer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curve: &BudgetCurve,
    kpi: BudgetKpi,
) -> Result<Option<BudgetFrame>> {
    let values = || {
        curve
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(move |p| kpi.value(p)))
    };
    if values().next().is_none() {
        draw_message(
            root,
            kpi.caption(),
            "No data: this number is not defined for these users.",
        )?;
        return Ok(None);
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
    let (x0, top) = chart.backend_coord(&(0.0, hi));
    let (x100, bottom) = chart.backend_coord(&(100.0, lo));
    Ok(Some(BudgetFrame {
        x0,
        x100,
        top,
        bottom,
        small,
    }))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    // Native only: in wasm, plotters measures text through the DOM, so SVG text needs a browser document.
    use super::*;
    use crate::charts::to_svg;
    use crate::decide::simulator::CurveSeries;

    /// Uplift targeting gains 10 conversions per 10 % of users up to 50 %, then nothing more.
    fn curve() -> BudgetCurve {
        let point = |i: usize| {
            let share = i as f64 / 10.0;
            let conv = 100.0 * share.min(0.5);
            CurvePoint {
                share,
                targeted: i * 100,
                spend: i as f64 * 10.0,
                incremental_conversions: Some(conv),
                model_incremental_conversions: conv,
                incremental_revenue: Some(40.0 * conv),
                incremental_roas: (i > 0).then(|| 4.0 * conv / i as f64),
                profit: Some(40.0 * conv - i as f64 * 10.0),
                enough_rows: true,
            }
        };
        BudgetCurve {
            series: vec![CurveSeries {
                policy: Policy::Uplift,
                label: "Uplift targeting".into(),
                points: (0..=10).map(point).collect(),
            }],
            break_even_share: Some(0.8),
            best_roas_share: Some(0.1),
            best_profit_share: Some(0.5),
        }
    }

    #[test]
    fn the_layer_plus_the_marker_is_the_whole_chart() {
        let c = curve();
        let kpi = BudgetKpi::IncrementalConversions;
        let whole = to_svg(800, 380, |root| draw_budget_curve(root, &c, kpi, Some(0.3))).unwrap();
        let mut frame = None;
        let layer = to_svg(800, 380, |root| {
            frame = draw_budget_layer(root, &c, kpi)?;
            Ok(())
        })
        .unwrap();
        let frame = frame.expect("a plot");
        let layered = to_svg(800, 380, |root| {
            draw_budget_layer(root, &c, kpi)?;
            draw_budget_marker(root, &frame, 0.3)
        })
        .unwrap();
        assert_eq!(
            layered, whole,
            "the page's two steps draw what one call draws"
        );
        assert!(whole.contains("current 30%") && !layer.contains("current"));
        assert!(layer.contains("break-even 80%"));
        // The plot area lies inside the canvas, 0 % left of 100 %, top above bottom; not small at 800 px.
        assert!(
            0 < frame.x0 && frame.x0 < frame.x100 && frame.x100 < 800,
            "{frame:?}"
        );
        assert!(
            0 < frame.top && frame.top < frame.bottom && frame.bottom < 380,
            "{frame:?}"
        );
        assert!(!frame.small);
        let mut small = None;
        let narrow = to_svg(360, 300, |root| {
            small = draw_budget_layer(root, &c, kpi)?;
            Ok(())
        })
        .unwrap();
        assert!(narrow.contains("break-even") && small.is_some_and(|f| f.small));
        // Nothing defined: the "no data" message and no frame (the page then draws no marker).
        let mut none = c.clone();
        none.series[0]
            .points
            .iter_mut()
            .for_each(|p| p.incremental_roas = None);
        let mut got = Some(frame);
        let svg = to_svg(360, 300, |root| {
            got = draw_budget_layer(root, &none, BudgetKpi::IncrementalRoas)?;
            Ok(())
        })
        .unwrap();
        assert!(svg.contains("No data") && got.is_none());
    }

    #[test]
    fn frame_maps_shares_to_pixels() {
        let frame = BudgetFrame {
            x0: 56,
            x100: 790,
            top: 40,
            bottom: 330,
            small: false,
        };
        // 56 + 734 × 0.5 = 423; 56 + 734 × 0.3 = 276.2 → 276; out-of-range shares are clamped to the plot.
        assert_eq!(frame.x_of(0.5), 423);
        assert_eq!(frame.x_of(0.3), 276);
        assert_eq!(frame.x_of(-1.0), 56);
        assert_eq!(frame.x_of(2.0), 790);
        assert_eq!(frame.x_of(f64::NAN), 56);
        // The marker: a 2-pixel line at x = 276 from top to bottom, labelled on the right of it below 60 %.
        let svg = to_svg(800, 380, |root| draw_budget_marker(root, &frame, 0.3)).unwrap();
        assert!(
            svg.contains(r#"x1="276" y1="40" x2="276" y2="330""#) || svg.contains("276,40 276,330"),
            "{svg}"
        );
        assert!(
            svg.contains("current 30%") && svg.contains(r#"x="279""#),
            "{svg}"
        );
        // Over 60 %: the label sits left of the line (x − 3), anchored at its end.
        let svg = to_svg(800, 380, |root| draw_budget_marker(root, &frame, 0.9)).unwrap();
        assert!(
            svg.contains("current 90%") && svg.contains(r#"text-anchor="end""#),
            "{svg}"
        );
        // The frame crosses from the page as JSON.
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            json,
            r#"{"x0":56,"x100":790,"top":40,"bottom":330,"small":false}"#
        );
        assert_eq!(serde_json::from_str::<BudgetFrame>(&json).unwrap(), frame);
    }
}

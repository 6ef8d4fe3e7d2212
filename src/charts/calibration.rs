//! Calibration of the predicted conversion rates: mean predicted vs observed rate per bin, for p̂0 (control rows)
//! and p̂1 (treated rows), with the diagonal of perfect calibration. Draws only.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_err, draw_message, theme};
use crate::error::Result;
use crate::metrics::calibration::{ArmCalibration, CalibrationReport};

/// The chart's caption.
pub const CALIBRATION_CAPTION: &str = "Calibration: predicted vs observed conversion rate";

/// Draw one line of points per arm (x = mean predicted rate of the bin, y = observed rate, both in %), the
/// observed rate's interval as error bars, and the diagonal. With no calibration point, draws a "no data"
/// message.
pub fn draw_calibration<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &CalibrationReport,
) -> Result<()> {
    let arms: [(&ArmCalibration, &str, RGBColor); 2] = [
        (&report.control, "p̂0 on control rows", theme::SECONDARY),
        (&report.treated, "p̂1 on treated rows", theme::PRIMARY),
    ];
    let finite = |p: &&crate::metrics::calibration::CalibrationPoint| {
        [p.mean_predicted, p.observed_rate, p.low, p.high]
            .iter()
            .all(|v| v.is_finite())
    };
    if arms
        .iter()
        .all(|(a, _, _)| !a.points.iter().any(|p| finite(&p)))
    {
        return draw_message(
            root,
            CALIBRATION_CAPTION,
            "No data: score some users first.",
        );
    }
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let pct = |v: f64| v * 100.0;
    let top = arms
        .iter()
        .flat_map(|(a, _, _)| a.points.iter().filter(finite))
        .flat_map(|p| [p.mean_predicted, p.high])
        .fold(0.0_f64, f64::max);
    let top = (pct(top) * 1.08).clamp(0.01, 100.0);
    let small = root.dim_in_pixel().0 < 480;
    let mut chart = ChartBuilder::on(root)
        .caption(
            CALIBRATION_CAPTION,
            (theme::FONT, if small { 12 } else { 16 })
                .into_font()
                .color(&theme::INK),
        )
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(if small { 44 } else { 56 })
        .build_cartesian_2d(0.0..top, 0.0..top)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .bold_line_style(theme::GRID)
        .light_line_style(theme::BACKGROUND)
        .x_labels(if small { 4 } else { 6 })
        .y_labels(6)
        .x_desc("predicted conversion rate (%)")
        .y_desc("observed conversion rate (%)")
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .axis_desc_style((theme::FONT, 12))
        .label_style((theme::FONT, 11))
        .draw()
        .map_err(chart_err)?;
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (top, top)],
            5,
            4,
            theme::REFERENCE.stroke_width(1),
        ))
        .map_err(chart_err)?
        .label("Perfect calibration")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], theme::REFERENCE));
    for (arm, name, c) in arms {
        let pts: Vec<_> = arm.points.iter().filter(finite).collect();
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(pts.iter().map(|p| {
                ErrorBar::new_vertical(
                    pct(p.mean_predicted),
                    pct(p.low),
                    pct(p.observed_rate),
                    pct(p.high),
                    c.filled().stroke_width(1),
                    if small { 4 } else { 6 },
                )
            }))
            .map_err(chart_err)?;
        chart
            .draw_series(LineSeries::new(
                pts.iter()
                    .map(|p| (pct(p.mean_predicted), pct(p.observed_rate))),
                c.stroke_width(2),
            ))
            .map_err(chart_err)?
            .label(format!("{name} ({} rows)", arm.rows))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(theme::BACKGROUND.mix(0.85))
        .border_style(theme::GRID)
        .label_font((theme::FONT, if small { 10 } else { 11 }))
        .draw()
        .map_err(chart_err)?;
    Ok(())
}

//! Uplift by bin of predicted uplift: mean predicted τ̂ (bars) beside the observed treated − control difference
//! with its interval (points and error bars). Draws only; the bins come from `metrics::deciles`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_err, draw_message, padded_range, theme};
use crate::error::Result;
use crate::metrics::deciles::UpliftBin;

/// Draw one segment per bin (bin 1 = highest predicted uplift, on the left), in percentage points.
/// Bins where an arm is empty show the bar only. With no bin, draws a "no data" message.
pub fn draw_deciles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bins: &[UpliftBin],
) -> Result<()> {
    let caption = if bins.len() == 10 {
        "Uplift by decile: predicted vs observed".to_string()
    } else {
        format!("Uplift by bin ({}): predicted vs observed", bins.len())
    };
    if bins.is_empty() {
        return draw_message(root, &caption, "No data: score some users first.");
    }
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let pp = |v: f64| v * 100.0;
    let values = bins.iter().flat_map(|b| {
        [Some(b.mean_predicted), b.observed, b.low, b.high]
            .into_iter()
            .flatten()
            .map(pp)
    });
    let (lo, hi) = padded_range(values);
    let n = bins.len();
    let small = root.dim_in_pixel().0 < 480;
    let mut chart = ChartBuilder::on(root)
        .caption(&caption, (theme::FONT, 16).into_font().color(&theme::INK))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(if small { 44 } else { 56 })
        // `a..b` is inclusive in plotters' discrete coordinates: `0..n - 1` gives exactly n segments.
        .build_cartesian_2d((0..n - 1).into_segmented(), lo..hi)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(theme::GRID)
        .light_line_style(theme::BACKGROUND)
        .x_desc("bin of predicted uplift (1 = highest)")
        .y_desc("uplift (percentage points)")
        .y_label_formatter(&|v| format!("{v:.2}"))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) if n <= 12 || i % 2 == 0 => {
                bins.get(*i).map_or(String::new(), |b| b.bin.to_string())
            }
            _ => String::new(),
        })
        .axis_desc_style((theme::FONT, 12))
        .label_style((theme::FONT, 11))
        .draw()
        .map_err(chart_err)?;
    let right_edge = |i: usize| {
        if i + 1 >= n {
            SegmentValue::Last
        } else {
            SegmentValue::Exact(i + 1)
        }
    };
    let inset = if small { 3 } else { 8 };
    chart
        .draw_series(bins.iter().enumerate().map(|(i, b)| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (right_edge(i), pp(b.mean_predicted)),
                ],
                theme::PRIMARY.mix(0.55).filled(),
            );
            bar.set_margin(0, 0, inset, inset);
            bar
        }))
        .map_err(chart_err)?
        .label("Predicted (mean τ̂)")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 12, y + 5)],
                theme::PRIMARY.mix(0.55).filled(),
            )
        });
    chart
        .draw_series(bins.iter().enumerate().filter_map(|(i, b)| {
            let (o, l, h) = (b.observed?, b.low?, b.high?);
            Some(ErrorBar::new_vertical(
                SegmentValue::CenterOf(i),
                pp(l),
                pp(o),
                pp(h),
                theme::INK.filled().stroke_width(2),
                if small { 4 } else { 8 },
            ))
        }))
        .map_err(chart_err)?
        .label("Observed treated − control (with interval)")
        .legend(|(x, y)| Circle::new((x + 6, y), 3, theme::INK.filled()));
    // The zero line: above it the ad helped, below it hurt.
    chart
        .draw_series(LineSeries::new(
            [(SegmentValue::Exact(0), 0.0), (SegmentValue::Last, 0.0)],
            theme::INK.stroke_width(1),
        ))
        .map_err(chart_err)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(theme::BACKGROUND.mix(0.85))
        .border_style(theme::GRID)
        .label_font((theme::FONT, if small { 10 } else { 11 }))
        .draw()
        .map_err(chart_err)?;
    Ok(())
}

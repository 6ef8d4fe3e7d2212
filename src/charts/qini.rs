//! Qini curve of the uplift model with its bootstrap band, the random and perfect references and, for
//! comparison, the conversion-rate score's curve. Draws only; the band is computed by `metrics::band`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_err, draw_message, padded_range, theme};
use crate::error::Result;
use crate::metrics::band::QiniBand;
use crate::metrics::report::UpliftMetrics;

/// The chart's caption, naming the convention.
pub const QINI_CAPTION: &str = "Qini curve (scikit-uplift convention)";

/// Draw the model's Qini curve (x = users targeted from the top of the ranking, y = incremental conversions,
/// scikit-uplift `qini_curve`), the random line, the perfect curve, the band when given (shaded), and the
/// conversion-rate score's Qini curve when `response` is given. The legend states the Qini coefficient with
/// its interval. With no curve point, draws a "no data" message.
pub fn draw_qini<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    model: &UpliftMetrics,
    response: Option<&UpliftMetrics>,
    band: Option<&QiniBand>,
) -> Result<()> {
    let curve = &model.qini_curve;
    if curve.x.len() < 2 {
        return draw_message(root, QINI_CAPTION, "No data: score some users first.");
    }
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let x_max = curve
        .x
        .iter()
        .chain(&curve.perfect.x)
        .copied()
        .fold(1.0_f64, f64::max);
    let band = band.filter(|b| b.x.len() == b.low.len() && b.x.len() == b.high.len());
    let response_curve = response.map(|r| &r.qini_curve).filter(|c| c.x.len() >= 2);
    // The perfect curve often peaks far above the model (every treated converter first); when it would squash
    // the model's curve it is cut at the top of the chart and its legend gives the peak.
    let ys = curve
        .y
        .iter()
        .chain(&curve.random.y)
        .chain(band.iter().flat_map(|b| b.low.iter().chain(&b.high)))
        .chain(response_curve.iter().flat_map(|c| c.y.iter()))
        .copied();
    let (others_lo, others_hi) = padded_range(ys);
    let perfect_max = curve.perfect.y.iter().copied().fold(f64::MIN, f64::max);
    let perfect_min = curve.perfect.y.iter().copied().fold(f64::MAX, f64::min);
    let span = others_hi - others_lo;
    let cut = perfect_max > others_hi + 2.0 * span;
    let (y_lo, y_hi) = if cut {
        (others_lo.min(perfect_min), others_hi + 0.5 * span)
    } else {
        padded_range(
            [others_lo, others_hi]
                .into_iter()
                .chain(curve.perfect.y.iter().copied()),
        )
    };
    let small = root.dim_in_pixel().0 < 480;
    let mut chart = ChartBuilder::on(root)
        .caption(
            QINI_CAPTION,
            (theme::FONT, 16).into_font().color(&theme::INK),
        )
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(if small { 48 } else { 60 })
        .build_cartesian_2d(0.0..x_max, y_lo..y_hi)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .bold_line_style(theme::GRID)
        .light_line_style(theme::BACKGROUND)
        .x_labels(if small { 4 } else { 6 })
        .y_labels(6)
        .x_desc("users targeted, best scores first")
        .y_desc("incremental conversions")
        .x_label_formatter(&|v| count(*v))
        .y_label_formatter(&|v| count(*v))
        .axis_desc_style((theme::FONT, 12))
        .label_style((theme::FONT, 11))
        .draw()
        .map_err(chart_err)?;

    if let Some(b) = band {
        let pct = (b.confidence * 100.0).round();
        let poly: Vec<(f64, f64)> =
            b.x.iter()
                .zip(&b.high)
                .map(|(&x, &y)| (x, y))
                .chain(b.x.iter().zip(&b.low).rev().map(|(&x, &y)| (x, y)))
                .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                poly,
                theme::PRIMARY.mix(0.18).filled(),
            )))
            .map_err(chart_err)?
            .label(format!("{pct:.0}% band (bootstrap)"))
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 16, y + 5)],
                    theme::PRIMARY.mix(0.18).filled(),
                )
            });
    }
    let pts = |x: &[f64], y: &[f64]| -> Vec<(f64, f64)> {
        x.iter().zip(y).map(|(&a, &b)| (a, b)).collect()
    };
    let perfect_label = if cut {
        format!(
            "Perfect ranking (peaks at {}, above the chart)",
            count(perfect_max)
        )
    } else {
        "Perfect ranking".to_string()
    };
    chart
        .draw_series(
            clip_to_band(&curve.perfect.x, &curve.perfect.y, y_lo, y_hi)
                .into_iter()
                .map(|seg| PathElement::new(seg, theme::PERSUADABLE.stroke_width(1))),
        )
        .map_err(chart_err)?
        .label(perfect_label)
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], theme::PERSUADABLE));
    chart
        .draw_series(DashedLineSeries::new(
            pts(&curve.random.x, &curve.random.y),
            6,
            4,
            theme::REFERENCE.stroke_width(1),
        ))
        .map_err(chart_err)?
        .label("Random targeting")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], theme::REFERENCE));
    if let Some(c) = response_curve {
        chart
            .draw_series(LineSeries::new(
                pts(&c.x, &c.y),
                theme::RESPONSE.stroke_width(2),
            ))
            .map_err(chart_err)?
            .label(format!(
                "Conversion-rate score{}",
                response.map_or(String::new(), coefficient)
            ))
            .legend(|(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], theme::RESPONSE.stroke_width(2))
            });
    }
    chart
        .draw_series(LineSeries::new(
            pts(&curve.x, &curve.y),
            theme::PRIMARY.stroke_width(2),
        ))
        .map_err(chart_err)?
        .label(format!("Uplift model{}", coefficient(model)))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], theme::PRIMARY.stroke_width(2)));
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

/// The parts of the polyline (x, y) with lo ≤ y ≤ hi, one segment per line piece that shows.
fn clip_to_band(x: &[f64], y: &[f64], lo: f64, hi: f64) -> Vec<[(f64, f64); 2]> {
    let mut out = Vec::new();
    for i in 1..x.len().min(y.len()) {
        let (x0, y0, x1, y1) = (x[i - 1], y[i - 1], x[i], y[i]);
        let (t0, t1) = if y1 == y0 {
            if (lo..=hi).contains(&y0) {
                (0.0, 1.0)
            } else {
                continue;
            }
        } else {
            let (a, b) = ((lo - y0) / (y1 - y0), (hi - y0) / (y1 - y0));
            (a.min(b).max(0.0), a.max(b).min(1.0))
        };
        if t0 <= t1 {
            let at = |t: f64| (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            out.push([at(t0), at(t1)]);
        }
    }
    out
}

/// ", Qini 0.123 (95% 0.101 to 0.140)" or ", Qini undefined".
fn coefficient(m: &UpliftMetrics) -> String {
    match m.qini {
        Some(q) => format!(
            ", Qini {:.3} ({:.0}% {:.3} to {:.3})",
            q.estimate,
            m.intervals.confidence * 100.0,
            q.low,
            q.high
        ),
        None => ", Qini undefined".to_string(),
    }
}

/// A count for an axis: 1200 → "1.2k", 3000000 → "3M".
pub(crate) fn count(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_curve_is_cut_at_the_top() {
        // (0,0)→(10,100)→(20,0) cut at 0..=50: the rising half up to x = 5, the falling half from x = 15.
        let segs = clip_to_band(&[0.0, 10.0, 20.0], &[0.0, 100.0, 0.0], 0.0, 50.0);
        assert_eq!(
            segs,
            vec![[(0.0, 0.0), (5.0, 50.0)], [(15.0, 50.0), (20.0, 0.0)]]
        );
        // A flat piece above the band disappears.
        assert!(clip_to_band(&[0.0, 1.0], &[60.0, 60.0], 0.0, 50.0).is_empty());
    }

    #[test]
    fn counts_are_short() {
        assert_eq!(count(1200.0), "1.2k");
        assert_eq!(count(3_000_000.0), "3M");
        assert_eq!(count(-40.0), "-40");
        assert_eq!(count(2.5), "2.5");
    }
}

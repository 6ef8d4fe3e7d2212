//! Bar chart of the conversion rate in each arm with its 95 % interval (the first look at a test).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_err, theme};
use crate::data::prepare::ArmRate;
use crate::error::Result;

/// Draw one bar per arm (treatment first) with Wilson intervals as error bars.
pub fn draw_arm_rates<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    arms: &[ArmRate],
) -> Result<()> {
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let top = arms
        .iter()
        .map(|a| a.high)
        .fold(0.0_f64, f64::max)
        .max(1e-4)
        * 1.15
        * 100.0;
    let n = arms.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(
            "Conversion rate by group (95% interval)",
            (theme::FONT, 16).into_font().color(&theme::INK),
        )
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(56)
        // `a..b` is inclusive in plotters' discrete coordinates: `0..n - 1` gives exactly n segments.
        .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..top)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(theme::GRID)
        .light_line_style(theme::BACKGROUND)
        .y_desc("conversion rate (%)")
        .y_label_formatter(&|v| format!("{v:.2}"))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) => arms
                .get(*i)
                .map_or(String::new(), |a| format!("{} ({} rows)", a.label, a.rows)),
            _ => String::new(),
        })
        .axis_desc_style((theme::FONT, 13))
        .label_style((theme::FONT, 12))
        .draw()
        .map_err(chart_err)?;
    let right_edge = |i: usize| {
        if i + 1 >= n {
            SegmentValue::Last
        } else {
            SegmentValue::Exact(i + 1)
        }
    };
    let colour = |i: usize| {
        if i == 0 {
            theme::PRIMARY
        } else {
            theme::SECONDARY
        }
    };
    chart
        .draw_series(arms.iter().enumerate().map(|(i, a)| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (right_edge(i), a.rate * 100.0),
                ],
                colour(i).mix(0.75).filled(),
            );
            bar.set_margin(0, 0, 30, 30);
            bar
        }))
        .map_err(chart_err)?;
    chart
        .draw_series(arms.iter().enumerate().map(|(i, a)| {
            ErrorBar::new_vertical(
                SegmentValue::CenterOf(i),
                a.low * 100.0,
                a.rate * 100.0,
                a.high * 100.0,
                theme::INK.stroke_width(2),
                12,
            )
        }))
        .map_err(chart_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    // Native only: in wasm, plotters measures text through the DOM, so SVG text needs a browser document.
    use super::*;
    use crate::charts::to_svg;
    use crate::data::prepare::wilson;

    #[test]
    fn renders_both_arms_to_svg() {
        let arm = |label: &str, rows, conv| {
            let (rate, low, high) = wilson(conv, rows);
            ArmRate {
                label: label.into(),
                rows,
                conversions: conv,
                rate,
                low,
                high,
            }
        };
        let svg = to_svg(640, 360, |root| {
            draw_arm_rates(root, &[arm("1", 850, 30), arm("0", 150, 3)])
        })
        .unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains("1 (850 rows)") && svg.contains("0 (150 rows)"),
            "axis labels name the arms"
        );
        // two filled bars in the arms' colours
        assert!(svg.contains("#0D6EFD") && svg.contains("#6C757D"), "{svg}");
    }

    /// Numbers of an SVG attribute in every element that has it, e.g. `attr(svg, "<rect", "x")`.
    fn attrs(svg: &str, element: &str, fill: &str, name: &str) -> Vec<i64> {
        svg.lines()
            .filter(|l| l.starts_with(element) && l.contains(fill))
            .filter_map(|l| {
                let at = l.find(&format!(" {name}=\""))? + name.len() + 3;
                l[at..].split('"').next()?.parse().ok()
            })
            .collect()
    }

    #[test]
    fn bars_fill_the_plot_with_no_empty_segment() {
        let arm = |label: &str, rows, conv| {
            let (rate, low, high) = wilson(conv, rows);
            ArmRate {
                label: label.into(),
                rows,
                conversions: conv,
                rate,
                low,
                high,
            }
        };
        let svg = to_svg(640, 360, |root| {
            draw_arm_rates(root, &[arm("1", 850, 30), arm("0", 150, 3)])
        })
        .unwrap();
        // The plot spans the horizontal grid lines (x1..x2); 2 arms ⇒ 2 segments, each bar inset 30 px per side.
        let (left, right) = (
            attrs(&svg, "<line", "#DEE2E6", "x1")[0],
            attrs(&svg, "<line", "#DEE2E6", "x2")[0],
        );
        let xs = [
            attrs(&svg, "<rect", "#0D6EFD", "x")[0],
            attrs(&svg, "<rect", "#6C757D", "x")[0],
        ];
        let ws = [
            attrs(&svg, "<rect", "#0D6EFD", "width")[0],
            attrs(&svg, "<rect", "#6C757D", "width")[0],
        ];
        let segment = (right - left) / 2;
        // Left gap = right gap = the 30 px inset (a third, empty segment made the right gap ≈ 30 + segment).
        assert!((xs[0] - left - 30).abs() <= 2, "left gap {}", xs[0] - left);
        assert!(
            (right - (xs[1] + ws[1]) - 30).abs() <= 2,
            "right gap {}",
            right - (xs[1] + ws[1])
        );
        for w in ws {
            assert!(
                (w - (segment - 60)).abs() <= 2,
                "bar width {w}, segment {segment}"
            );
        }
    }
}

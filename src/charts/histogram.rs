//! Histogram of predicted uplift τ̂, stacked by archetype, with the threshold lines. [`UpliftHistogram::new`]
//! counts (in the worker, over every user); [`draw_uplift_histogram`] only draws the counts.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{chart_err, draw_message, theme};
use crate::decide::archetype::Thresholds;
use crate::decide::Archetype;
use crate::error::{Error, Result};

/// The chart's caption: the range rule is stated because the end bars hold the clipped users.
pub const HISTOGRAM_CAPTION: &str =
    "Predicted uplift by archetype (middle 99%; outliers in end bars)";

/// Counts of users per bin of predicted uplift and per archetype: small enough to send to the page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpliftHistogram {
    /// Bin edges of τ̂ on the probability scale, ascending; `bins + 1` of them (empty when there are no users).
    /// The range runs from the 0.5 % to the 99.5 % quantile of τ̂, widened to show both thresholds; users outside
    /// it are counted in the first or last bin.
    pub edges: Vec<f64>,
    /// Users per bin, one count per archetype in [`Archetype::ALL`] order (Persuadable, Sure Thing,
    /// Lost Cause, Do-Not-Disturb).
    pub counts: Vec<[usize; 4]>,
    /// τ̂ ≥ this ⇒ Persuadable (probability scale).
    pub persuadable_min: f64,
    /// τ̂ ≤ this ⇒ Do-Not-Disturb (probability scale, negative).
    pub do_not_disturb_max: f64,
    /// Users below the range, counted in the first bin.
    pub below: usize,
    /// Users above the range, counted in the last bin.
    pub above: usize,
    /// Every user counted.
    pub users: usize,
}

impl UpliftHistogram {
    /// Count `uplift` (τ̂ per user) by `bins` equal-width bins and by archetype (`labels`, one per user).
    ///
    /// Errors: `labels` length differs (`LengthMismatch`), a τ̂ is NaN/infinite (`NotANumber`), `bins` is 0 or
    /// above 1000 (`BadParam`). No users gives an empty histogram (the chart says "no data").
    pub fn new(
        uplift: &[f64],
        labels: &[Archetype],
        thresholds: &Thresholds,
        bins: usize,
    ) -> Result<UpliftHistogram> {
        if !(1..=1000).contains(&bins) {
            return Err(Error::BadParam {
                name: "bins",
                expected: "a whole number from 1 to 1000",
                found: bins.to_string(),
            });
        }
        if labels.len() != uplift.len() {
            return Err(Error::LengthMismatch {
                what: "archetype labels",
                found: labels.len(),
                reference: "predicted uplift",
                expected: uplift.len(),
            });
        }
        if let Some(row) = uplift.iter().position(|v| !v.is_finite()) {
            return Err(Error::NotANumber {
                what: "predicted uplift",
                row,
            });
        }
        let mut h = UpliftHistogram {
            persuadable_min: thresholds.persuadable_min,
            do_not_disturb_max: thresholds.do_not_disturb_max,
            users: uplift.len(),
            ..Default::default()
        };
        if uplift.is_empty() {
            return Ok(h);
        }
        let mut lo = quantile(uplift, 0.005);
        let mut hi = quantile(uplift, 0.995);
        for t in [thresholds.persuadable_min, thresholds.do_not_disturb_max] {
            if t.is_finite() {
                lo = lo.min(t);
                hi = hi.max(t);
            }
        }
        if hi - lo < 1e-12 {
            // All users alike: a window of ±0.1 points around them.
            lo -= 0.001;
            hi += 0.001;
        }
        let width = (hi - lo) / bins as f64;
        h.edges = (0..=bins).map(|i| lo + width * i as f64).collect();
        h.edges[bins] = hi;
        h.counts = vec![[0; 4]; bins];
        for (&v, &a) in uplift.iter().zip(labels) {
            if v < lo {
                h.below += 1;
            } else if v > hi {
                h.above += 1;
            }
            let b = (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1);
            h.counts[b][a.index()] += 1;
        }
        Ok(h)
    }
}

/// numpy `quantile(v, q)` (linear interpolation) without sorting everything: two order statistics.
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut w = v.to_vec();
    let pos = q * (w.len() - 1) as f64;
    let k = pos.floor() as usize;
    let (_, &mut a, rest) = w.select_nth_unstable_by(k, f64::total_cmp);
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    if b.is_finite() {
        a + (b - a) * (pos - k as f64)
    } else {
        a
    }
}

/// Draw stacked bars (one colour per archetype, x in percentage points), the Persuadable and Do-Not-Disturb
/// threshold lines with their labels, and a legend. With no users, draws a "no data" message.
pub fn draw_uplift_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    h: &UpliftHistogram,
) -> Result<()> {
    let bins = h.counts.len();
    if bins == 0 || h.edges.len() != bins + 1 {
        return draw_message(root, HISTOGRAM_CAPTION, "No data: score some users first.");
    }
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let pp = |v: f64| v * 100.0;
    let (x_lo, x_hi) = (pp(h.edges[0]), pp(h.edges[bins]));
    let small = root.dim_in_pixel().0 < 480;
    // Headroom above the tallest bar holds the threshold labels and the legend.
    let headroom = if small { 1.7 } else { 1.45 };
    let tallest = h
        .counts
        .iter()
        .map(|c| c.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let top = tallest * headroom;
    let mut chart = ChartBuilder::on(root)
        .caption(
            HISTOGRAM_CAPTION,
            (theme::FONT, if small { 12 } else { 15 })
                .into_font()
                .color(&theme::INK),
        )
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(if small { 44 } else { 56 })
        .build_cartesian_2d(x_lo..x_hi, 0.0..top)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(theme::GRID)
        .light_line_style(theme::BACKGROUND)
        .x_labels(if small { 4 } else { 7 })
        .x_desc("predicted uplift τ̂ (percentage points)")
        .y_desc("users")
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| super::qini::count(*v))
        .axis_desc_style((theme::FONT, 12))
        .label_style((theme::FONT, 11))
        .draw()
        .map_err(chart_err)?;
    for a in Archetype::ALL {
        let colour = theme::archetype_colour(a);
        let k = a.index();
        chart
            .draw_series(
                h.counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c[k] > 0)
                    .map(|(b, c)| {
                        let base: usize = c[..k].iter().sum();
                        Rectangle::new(
                            [
                                (pp(h.edges[b]), base as f64),
                                (pp(h.edges[b + 1]), (base + c[k]) as f64),
                            ],
                            colour.mix(0.85).filled(),
                        )
                    }),
            )
            .map_err(chart_err)?
            .label(a.label())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    let label_style = (theme::FONT, if small { 10 } else { 11 })
        .into_font()
        .color(&theme::INK);
    let font_px = if small { 10.0 } else { 11.0 };
    let (plot_left, _) = chart.backend_coord(&(x_lo, 0.0));
    let (plot_right, _) = chart.backend_coord(&(x_hi, 0.0));
    // Persuadable label to the right of its line, Do-Not-Disturb to the left and one row lower, unless the
    // label would leave the plot.
    for (t, text, prefer_right, row) in [
        (
            h.persuadable_min,
            format!("Persuadable ≥ {:.2}", pp(h.persuadable_min)),
            true,
            0,
        ),
        (
            h.do_not_disturb_max,
            format!("Do-Not-Disturb ≤ {:.2}", pp(h.do_not_disturb_max)),
            false,
            1,
        ),
    ] {
        let x = pp(t);
        if !(x_lo..=x_hi).contains(&x) {
            continue;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(x, 0.0), (x, tallest * 1.05)],
                theme::INK.stroke_width(1),
            )))
            .map_err(chart_err)?;
        let (px, py) = chart.backend_coord(&(x, tallest * 1.05));
        let width = (text.chars().count() as f64 * font_px * 0.45) as i32;
        let right = if prefer_right {
            px + 3 + width <= plot_right
        } else {
            px - 3 - width < plot_left
        };
        let (anchor, dx) = if right {
            (HPos::Left, 3)
        } else {
            (HPos::Right, -3)
        };
        root.draw(&Text::new(
            text,
            (px + dx, py + row * (font_px as i32 + 3)),
            label_style.pos(Pos::new(anchor, VPos::Bottom)),
        ))
        .map_err(chart_err)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::scored::BaseRateSource;

    fn thresholds(p: f64, d: f64) -> Thresholds {
        Thresholds {
            persuadable_min: p,
            do_not_disturb_max: d,
            base_rate_min: None,
            base_rate_source: BaseRateSource::None,
            break_even: p,
            note: None,
        }
    }

    #[test]
    fn counts_by_bin_and_archetype() {
        use Archetype::*;
        // 5 users, τ̂ −0.02 … 0.02; thresholds inside. Quantiles: 0.5 % → position 0.02 between −0.02 and −0.01
        // → −0.0198; 99.5 % → position 3.98 → 0.0198. Then widened? thresholds 0.0025/−0.001 are inside.
        // 4 bins of width 0.0099 from −0.0198: −0.02 is below (first bin), −0.01 → (0.0098/0.0099) = bin 0,
        // 0.001 → 0.0208/0.0099 = 2.1 → bin 2, 0.01 → 3.01 → bin 3, 0.02 above → last bin 3.
        let u = [-0.02, -0.01, 0.001, 0.01, 0.02];
        let l = [
            DoNotDisturb,
            DoNotDisturb,
            LostCause,
            Persuadable,
            Persuadable,
        ];
        let h = UpliftHistogram::new(&u, &l, &thresholds(0.0025, -0.001), 4).unwrap();
        assert_eq!(h.edges.len(), 5);
        assert!((h.edges[0] + 0.0198).abs() < 1e-12 && (h.edges[4] - 0.0198).abs() < 1e-12);
        assert_eq!((h.below, h.above, h.users), (1, 1, 5));
        assert_eq!(
            h.counts,
            vec![[0, 0, 0, 2], [0, 0, 0, 0], [0, 0, 1, 0], [2, 0, 0, 0]]
        );
    }

    #[test]
    fn thresholds_widen_the_range_and_equal_values_get_a_window() {
        // All τ̂ = 0.001; thresholds 0.0025 and −0.001 widen the range to [−0.001, 0.0025]; 7 bins of 0.0005:
        // 0.001 → (0.002/0.0005) = 4 (floating point may give 3.999…, so check the sum and the bin range).
        let u = [0.001; 3];
        let l = [Archetype::LostCause; 3];
        let h = UpliftHistogram::new(&u, &l, &thresholds(0.0025, -0.001), 7).unwrap();
        assert_eq!((h.edges[0], h.edges[7]), (-0.001, 0.0025));
        let b = h.counts.iter().position(|c| c[2] == 3).unwrap();
        assert!(b == 3 || b == 4, "{b}");
        // Thresholds at the same value as every user: a ±0.1-point window.
        let h = UpliftHistogram::new(&[0.0], &[Archetype::LostCause], &thresholds(0.0, 0.0), 2)
            .unwrap();
        assert_eq!((h.edges[0], h.edges[2]), (-0.001, 0.001));
        assert_eq!(h.counts, vec![[0, 0, 0, 0], [0, 0, 1, 0]]);
    }

    #[test]
    fn bad_input_is_explained() {
        let t = thresholds(0.0025, -0.001);
        let e = UpliftHistogram::new(&[0.1, 0.2], &[Archetype::LostCause], &t, 10).unwrap_err();
        assert!(matches!(e, Error::LengthMismatch { .. }));
        let e = UpliftHistogram::new(&[f64::NAN], &[Archetype::LostCause], &t, 10).unwrap_err();
        assert!(matches!(e, Error::NotANumber { row: 0, .. }));
        let e = UpliftHistogram::new(&[], &[], &t, 0).unwrap_err();
        assert!(matches!(e, Error::BadParam { name: "bins", .. }));
        let h = UpliftHistogram::new(&[], &[], &t, 10).unwrap();
        assert!(h.edges.is_empty() && h.counts.is_empty());
    }
}

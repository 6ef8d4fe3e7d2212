//! Charts drawn with plotters on any backend (SVG natively and in tests, canvas in the page); no data work here.
//!
//! One file per chart, each `draw_*<DB: DrawingBackend>(&DrawingArea<DB, Shift>, data) -> Result<()>`.
//! The page calls them through `wasm` with a canvas; tests and the CLI render the same charts to SVG.

pub mod arms;
pub mod budget;
pub mod calibration;
pub mod deciles;
pub mod histogram;
pub mod qini;
pub mod theme;

use plotters::prelude::*;

use crate::error::{Error, Result};

/// Turn a plotters drawing error into ours.
pub(crate) fn chart_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Chart(format!("{e:?}"))
}

/// Render a chart function to an SVG string of the given size.
pub fn to_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<()>,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// Draw a caption and a centred message instead of a chart (no rows, nothing defined).
pub(crate) fn draw_message<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    message: &str,
) -> Result<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    root.fill(&theme::BACKGROUND).map_err(chart_err)?;
    let (w, h) = root.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Center);
    let title = (theme::FONT, 16).into_font().color(&theme::INK).pos(centre);
    root.draw(&Text::new(caption.to_string(), (w as i32 / 2, 20), title))
        .map_err(chart_err)?;
    let body = (theme::FONT, 13)
        .into_font()
        .color(&theme::SECONDARY)
        .pos(centre);
    root.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        body,
    ))
    .map_err(chart_err)?;
    Ok(())
}

/// Lower and upper ends of an axis that shows every value in `values` (and 0), with 8 % headroom; never
/// empty even when all values are equal.
pub(crate) fn padded_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let pad = ((hi - lo) * 0.08).max(1e-9);
    if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo - if lo < 0.0 { pad } else { 0.0 }, hi + pad)
    }
}

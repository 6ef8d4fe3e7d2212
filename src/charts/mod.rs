//! Charts drawn with plotters on any backend (SVG natively and in tests, canvas in the page); no data work here.
//!
//! One file per chart, each `draw_*<DB: DrawingBackend>(&DrawingArea<DB, Shift>, data) -> Result<()>`.
//! The page calls them through `wasm` with a canvas; tests and the CLI render the same charts to SVG.

pub mod arms;
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

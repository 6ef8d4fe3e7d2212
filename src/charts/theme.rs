//! Colours and fonts shared by every chart, so the page and exported SVGs look alike.

use plotters::style::RGBColor;

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub const INK: RGBColor = RGBColor(33, 37, 41);
pub const GRID: RGBColor = RGBColor(222, 226, 230);
/// Treatment / uplift model.
pub const PRIMARY: RGBColor = RGBColor(13, 110, 253);
/// Control / comparison.
pub const SECONDARY: RGBColor = RGBColor(108, 117, 125);
pub const PERSUADABLE: RGBColor = RGBColor(25, 135, 84);
pub const SURE_THING: RGBColor = RGBColor(13, 110, 253);
pub const LOST_CAUSE: RGBColor = RGBColor(173, 181, 189);
pub const DO_NOT_DISTURB: RGBColor = RGBColor(220, 53, 69);
pub const FONT: &str = "sans-serif";
/// Conversion-rate (response score) targeting, the usual comparison.
pub const RESPONSE: RGBColor = RGBColor(253, 126, 20);
/// Random targeting and other references.
pub const REFERENCE: RGBColor = RGBColor(108, 117, 125);

/// The colour of an archetype, the same on every chart and card.
pub fn archetype_colour(a: crate::decide::Archetype) -> RGBColor {
    use crate::decide::Archetype;
    match a {
        Archetype::Persuadable => PERSUADABLE,
        Archetype::SureThing => SURE_THING,
        Archetype::LostCause => LOST_CAUSE,
        Archetype::DoNotDisturb => DO_NOT_DISTURB,
    }
}

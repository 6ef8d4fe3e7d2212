//! Charts drawn with plotters on any backend (SVG natively and in tests, canvas in the page).

//! plotters' canvas backend with text measured by the canvas (`measureText`, cached), not through the page's DOM.
//!
//! plotters' web font path sizes every axis label and caption by appending a `<span>` to `<body>` and reading its
//! `offsetWidth`: a forced style and layout of the whole page per label, which made each result chart a long
//! main-thread task. Here a label's width comes from the canvas's own `measureText` (the same font string the
//! span had, rounded to whole pixels as `offsetWidth` is) and its height from one span per font (a line's height
//! depends on the font, not the text), both cached for the page's life. Drawing is plotters-canvas's, unchanged.

use std::cell::RefCell;
use std::collections::BTreeMap;

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

/// Sizes kept at most (labels repeat across charts and slider moves; a page draws a few hundred distinct ones).
const CACHE_LIMIT: usize = 4096;

thread_local! {
    /// (font, text) → (width, height) in pixels.
    static SIZES: RefCell<BTreeMap<(String, String), (u32, u32)>> = const { RefCell::new(BTreeMap::new()) };
    /// CSS font (style, size, family) → line height in pixels, measured once with a span.
    static HEIGHTS: RefCell<BTreeMap<String, u32>> = const { RefCell::new(BTreeMap::new()) };
}

/// A plotters-canvas backend that answers `estimate_text_size` without touching the DOM (after the first label of
/// each font).
pub(crate) struct MeasuredCanvas {
    inner: CanvasBackend,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
}

impl MeasuredCanvas {
    /// None when the canvas has no 2D context.
    pub(crate) fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
        Some(Self {
            inner,
            canvas,
            context,
        })
    }

    /// The line height of a font as plotters measured it: an inline-block span's `offsetHeight`.
    fn line_height(&self, style: &str, size: f64, family: &str) -> Option<u32> {
        let key = format!("{style} {size}px {family}");
        if let Some(h) = HEIGHTS.with(|h| h.borrow().get(&key).copied()) {
            return Some(h);
        }
        let document = self.canvas.owner_document()?;
        let body = document.body()?;
        let span: HtmlElement = document.create_element("span").ok()?.dyn_into().ok()?;
        span.set_text_content(Some("0"));
        span.set_attribute(
            "style",
            &format!("display: inline-block; font-family:{family}; font-style:{style}; font-size: {size}px; position: fixed; top: 100%"),
        )
        .ok()?;
        body.append_child(&span).ok()?;
        let height = span.offset_height().max(0) as u32;
        span.remove();
        HEIGHTS.with(|h| h.borrow_mut().insert(key, height));
        Some(height)
    }
}

type Drawn = Result<(), DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>>;

impl DrawingBackend for MeasuredCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Drawn {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn {
        self.inner.draw_text(text, style, pos)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Drawn {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// The unrotated box of `text`, as plotters' web font path gave it: the width with the span's font (whose
    /// `font-style` takes normal, italic or oblique; "bold" is not a CSS font style, so the span, and here the
    /// measurement, used the normal face), the height of a line of that font. Falls back to plotters' own path
    /// when the canvas cannot measure.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let css_style = match style.style() {
            FontStyle::Italic => "italic",
            FontStyle::Oblique => "oblique",
            FontStyle::Normal | FontStyle::Bold => "normal",
        };
        let family = style.family();
        let font = format!("{css_style} {}px {}", style.size(), family.as_str());
        let key = (font, text.to_string());
        if let Some(size) = SIZES.with(|s| s.borrow().get(&key).copied()) {
            return Ok(size);
        }
        let measured = self
            .line_height(css_style, style.size(), family.as_str())
            .and_then(|height| {
                self.context.set_font(&key.0);
                let width = self.context.measure_text(text).ok()?.width();
                width
                    .is_finite()
                    .then(|| (width.round().max(0.0) as u32, height))
            });
        let Some(size) = measured else {
            return self.inner.estimate_text_size(text, style);
        };
        SIZES.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() >= CACHE_LIMIT {
                s.clear();
            }
            s.insert(key, size);
        });
        Ok(size)
    }
}

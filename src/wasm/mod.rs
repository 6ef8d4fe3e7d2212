//! The JavaScript facade: the only module that names wasm_bindgen, js_sys, web_sys or plotters_canvas.

//! The native command line over the same core as the page.
fn main() {
    eprintln!("uplift: no command yet");
    std::process::exit(2);
}

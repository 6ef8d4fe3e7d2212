//! Any bytes through the page's and the command's ingest path: size estimate → `Table::from_bytes` → role
//! detection → `prepare` → binning, and the "bring your own scores" reader on the same table.
//! Errors are expected (they are the user's messages); a panic, a hang or a non-finite bin edge is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

use uplift_simulator::data::binning::BinParams;
use uplift_simulator::data::memory::estimate;
use uplift_simulator::data::prepare::prepare;
use uplift_simulator::data::roles::detect_roles;
use uplift_simulator::data::table::Table;
use uplift_simulator::pipeline::scores::ScoreColumns;

fuzz_target!(|bytes: &[u8]| {
    let _ = estimate(bytes.len() as u64, None).check(u64::MAX);
    let Ok(table) = Table::from_bytes(bytes) else {
        return;
    };
    // Every message must name something: an empty message would leave the user with nothing to act on.
    if let Err(e) = ScoreColumns::from_table(&table) {
        assert!(!e.to_string().trim().is_empty());
    }
    let roles = detect_roles(&table);
    match prepare(&table, &roles) {
        Ok(prepared) => {
            assert!(prepared.n_rows() > 0, "prepare kept no rows without an error");
            let design = prepared.design(&BinParams::default());
            let _ = design;
        }
        Err(e) => assert!(!e.to_string().trim().is_empty()),
    }
});

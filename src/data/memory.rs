//! Memory estimate from the file size alone, before parsing: will this file fit in a browser tab?
//!
//! Does not measure anything; it is a deliberately generous model, so that a file that will not fit gets a
//! clear message instead of an out-of-memory crash of the tab.
//!
//! Model (bytes), with `cells = file_bytes / 6` (a field of a typical export averages about 6 bytes with
//! its delimiter: "0,", "34.5,", "north,") and `rows = cells / columns` (columns from the hint, else 12):
//! - the file itself, held while parsing: `file_bytes`;
//! - per cell, 29 bytes: parsed column as f64 (8) + level code u32 (4), the prepared feature as f64 (8),
//!   the binned u8 matrix (1), and the raw f64 design some learners read (8);
//! - per row, 256 bytes of model overhead: gradients and hessians, out-of-fold predictions for p̂0, p̂1, τ̂,
//!   its standard error and the response score, fold and arm indices, propensity, and the scores table.

use serde::Serialize;

use crate::error::{Error, Result};

/// Bytes per field assumed when counting cells from the file size.
pub const BYTES_PER_FIELD: u64 = 6;
/// Bytes held per cell once parsed, prepared, binned and designed (see the module docs).
pub const BYTES_PER_CELL: u64 = 29;
/// Model overhead per row (see the module docs).
pub const BYTES_PER_ROW: u64 = 256;
/// Columns assumed when the caller has not looked at the header yet.
pub const DEFAULT_COLUMNS: usize = 12;
/// What a browser tab may use: wasm32 addresses 4 GiB; half of it leaves headroom for the allocator's
/// growth (memory.grow doubles), the page and the worker's copies.
pub const BROWSER_TAB_LIMIT: u64 = 2 << 30;

/// The estimate for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryEstimate {
    pub file_bytes: u64,
    /// Estimated data rows.
    pub rows: u64,
    /// Estimated peak bytes needed to fit.
    pub bytes_needed: u64,
}

impl MemoryEstimate {
    /// True when the estimate fits in `limit` bytes.
    pub fn fits_in(&self, limit: u64) -> bool {
        self.bytes_needed <= limit
    }

    /// `Ok` when it fits in `limit`; else the message that suggests the native command.
    pub fn check(&self, limit: u64) -> Result<()> {
        if self.fits_in(limit) {
            Ok(())
        } else {
            Err(Error::TooBigForTab {
                file_mb: mb(self.file_bytes),
                needed_mb: mb(self.bytes_needed),
                limit_mb: mb(limit),
            })
        }
    }
}

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// Estimate the peak memory of loading and fitting a file of `file_bytes` bytes with `columns_hint` columns.
pub fn estimate(file_bytes: u64, columns_hint: Option<usize>) -> MemoryEstimate {
    let columns = columns_hint.unwrap_or(DEFAULT_COLUMNS).max(1) as u64;
    let cells = file_bytes / BYTES_PER_FIELD;
    let rows = cells / columns;
    let bytes_needed = file_bytes
        .saturating_add(cells.saturating_mul(BYTES_PER_CELL))
        .saturating_add(rows.saturating_mul(BYTES_PER_ROW));
    MemoryEstimate {
        file_bytes,
        rows,
        bytes_needed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_estimate() {
        // 6,000 bytes, 10 columns: 1,000 cells, 100 rows → 6,000 + 1,000·29 + 100·256 = 60,600.
        let e = estimate(6_000, Some(10));
        assert_eq!(e.rows, 100);
        assert_eq!(e.bytes_needed, 60_600);
        assert!(e.fits_in(60_600) && !e.fits_in(60_599));
        // No hint: 12 columns → 83 rows; 6,000 + 29,000 + 83·256 = 56,248.
        assert_eq!(estimate(6_000, None).bytes_needed, 56_248);
        assert_eq!(estimate(0, Some(0)).bytes_needed, 0);
        assert_eq!(estimate(u64::MAX, None).bytes_needed, u64::MAX);
    }

    #[test]
    fn a_million_rows_fit_and_criteo_does_not() {
        // 1M rows × 12 columns ≈ 72 MB: 72e6 + 12e6·29 + 1e6·256 = 676e6 bytes ≈ 645 MB → fits in 2 GiB.
        let m = estimate(72_000_000, Some(12));
        assert_eq!(m.bytes_needed, 676_000_000);
        assert!(m.check(BROWSER_TAB_LIMIT).is_ok());
        // Criteo-size: 14M rows × 16 columns ≈ 1.3 GB of text → ≈ 11.4 GB needed.
        let c = estimate(1_344_000_000, Some(16));
        assert_eq!(
            c.check(BROWSER_TAB_LIMIT).unwrap_err().to_string(),
            "This file (1282 MB) would need about 10895 MB of memory to fit, more than a browser tab can use (2048 MB). Run it with the command line instead: uplift fit DATA.csv --treatment COLUMN --outcome COLUMN --out scores.csv (or load a sample of the rows here)."
        );
    }
}

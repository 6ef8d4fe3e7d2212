//! Properties checked on many random inputs (proptest; modest case counts so CI stays fast).
//!
//! Tie rule: scikit-uplift (and our metrics) sort by score with a stable sort, so rows with equal scores keep
//! their input order and a permutation of tied rows can change the curve. The permutation property is
//! therefore checked with distinct scores.

use proptest::prelude::*;

use uplift_simulator::data::table::Table;
use uplift_simulator::decide::fairness::{audit_counts, AuditParams, GroupColumn};
use uplift_simulator::decide::simulator::rct_estimate;
use uplift_simulator::decide::{Budget, Scored, SimParams, Simulator};
use uplift_simulator::metrics::qini_auc_score;

/// Rows (score rank, treated, converted), both arms with a converter and a non-converter guaranteed.
fn rows() -> impl Strategy<Value = Vec<(bool, bool)>> {
    prop::collection::vec((any::<bool>(), any::<bool>()), 8..200).prop_map(|mut v| {
        v[0] = (true, true);
        v[1] = (true, false);
        v[2] = (false, true);
        v[3] = (false, false);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn qini_is_invariant_under_row_permutation(rows in rows(), seed in any::<u64>()) {
        let n = rows.len();
        // Distinct scores: a fixed pseudo-random injective map of the row index.
        let score: Vec<f64> = (0..n).map(|i| ((i as u64).wrapping_mul(2654435761) % 1_000_003) as f64).collect();
        let t: Vec<bool> = rows.iter().map(|r| r.0).collect();
        let y: Vec<f64> = rows.iter().map(|r| f64::from(u8::from(r.1))).collect();
        let base = qini_auc_score(&score, &t, &y, true);
        // A seeded Fisher–Yates permutation.
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let ps: Vec<f64> = perm.iter().map(|&i| score[i]).collect();
        let pt: Vec<bool> = perm.iter().map(|&i| t[i]).collect();
        let py: Vec<f64> = perm.iter().map(|&i| y[i]).collect();
        let permuted = qini_auc_score(&ps, &pt, &py, true);
        match (base, permuted) {
            (Ok(a), Ok(b)) => prop_assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}"),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }

    #[test]
    fn qini_with_ties_is_invariant_under_permutations_that_keep_tied_rows_in_order(
        rows in rows(), levels in 1u64..6, seed in any::<u64>(),
    ) {
        // Few distinct scores ⇒ many ties. The tie rule (stable sort: tied rows keep their input order) makes the
        // metric a function of the ranking plus, within each tie, the input order; a permutation that moves rows
        // but keeps every tie's rows in their original relative order must not change it.
        let n = rows.len();
        let score: Vec<f64> = (0..n).map(|i| ((i as u64).wrapping_mul(2654435761) % levels) as f64).collect();
        let t: Vec<bool> = rows.iter().map(|r| r.0).collect();
        let y: Vec<f64> = rows.iter().map(|r| f64::from(u8::from(r.1))).collect();
        let base = qini_auc_score(&score, &t, &y, true);
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        // Within each score value, put that value's rows back in input order on the positions the shuffle gave them.
        for v in 0..levels {
            let slots: Vec<usize> = (0..n).filter(|&k| score[perm[k]] == v as f64).collect();
            let mut members: Vec<usize> = slots.iter().map(|&k| perm[k]).collect();
            members.sort_unstable();
            for (k, m) in slots.into_iter().zip(members) {
                perm[k] = m;
            }
        }
        let ps: Vec<f64> = perm.iter().map(|&i| score[i]).collect();
        let pt: Vec<bool> = perm.iter().map(|&i| t[i]).collect();
        let py: Vec<f64> = perm.iter().map(|&i| y[i]).collect();
        match (base, qini_auc_score(&ps, &pt, &py, true)) {
            (Ok(a), Ok(b)) => prop_assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{a} vs {b}"),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }

    #[test]
    fn spend_is_monotone_in_budget_share(
        users in prop::collection::vec((-0.05f64..0.1, any::<bool>(), any::<bool>()), 10..300),
        shares in prop::collection::vec(0.0f64..=1.0, 2..12),
    ) {
        let scored = Scored {
            uplift: users.iter().map(|u| u.0).collect(),
            uplift_se: None,
            p_control: None,
            p_treated: None,
            response_score: None,
            treatment: users.iter().map(|u| u.1).collect(),
            outcome: users.iter().map(|u| f64::from(u8::from(u.2))).collect(),
            revenue: None,
        };
        let sim = Simulator::build(&scored, &SimParams::default()).unwrap();
        let mut shares = shares;
        shares.sort_by(f64::total_cmp);
        let mut last = (0usize, 0.0f64);
        for s in shares {
            let r = sim.simulate(Budget::Share(s)).unwrap();
            prop_assert!(r.targeted >= last.0 && r.spend >= last.1, "share {s}: {} < {}", r.spend, last.1);
            // The campaign's incremental-conversion interval (RCT estimate on the targeted rows) holds its point.
            for pol in &r.policies {
                if let Some(e) = &pol.incremental_conversions {
                    prop_assert!(e.low <= e.estimate && e.estimate <= e.high, "share {s}, {}: {e:?}", pol.label);
                }
            }
            last = (r.targeted, r.spend);
        }
    }

    #[test]
    fn disparate_impact_is_between_0_and_1(groups in prop::collection::vec((1usize..500, 0.0f64..=1.0), 2..8)) {
        let labels: Vec<String> = groups.iter().enumerate()
            .flat_map(|(g, &(size, _))| std::iter::repeat_n(format!("g{g}"), size)).collect();
        let column = GroupColumn::categorical("region", &labels).unwrap();
        let sizes: Vec<usize> = groups.iter().map(|g| g.0).collect();
        let targeted: Vec<usize> = groups.iter().map(|&(n, f)| ((n as f64 * f).floor() as usize).min(n)).collect();
        let audit = audit_counts(&column, &sizes, &targeted, &AuditParams::default()).unwrap();
        if let Some(di) = audit.disparate_impact {
            prop_assert!((0.0..=1.0).contains(&di), "DI {di}");
        }
    }

    #[test]
    fn rct_interval_contains_its_estimate(nt in 1usize..10_000, nc in 1usize..10_000, ft in 0.0f64..=1.0, fc in 0.0f64..=1.0, z in 0.0f64..4.0) {
        let yt = (nt as f64 * ft) as usize;
        let yc = (nc as f64 * fc) as usize;
        let e = rct_estimate(nt, yt.min(nt), nc, yc.min(nc), z).unwrap();
        prop_assert!(e.low <= e.estimate && e.estimate <= e.high, "{e:?}");
    }

    #[test]
    fn ingest_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Table::from_bytes(&bytes);
    }

    #[test]
    fn ingest_never_panics_on_csv_like_text(text in "[a-c0-9,;\t\"\r\n .\\-]{0,300}") {
        if let Ok(t) = Table::from_bytes(text.as_bytes()) {
            prop_assert!(t.n_rows > 0);
        }
    }
}

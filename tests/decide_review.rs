//! The review queue on generated data with known effects: auto-approved users must be right more often.

mod decide_support;

use uplift_simulator::data::generate::TRUE_SURE_THING_MIN_P0;
use uplift_simulator::decide::archetype::{accuracy, assign, Archetype, ArchetypeParams};
use uplift_simulator::decide::review::{review, ReviewParams, ReviewReason};

#[test]
fn approved_users_are_right_more_often_than_flagged_ones() {
    let d = decide_support::demo(50_000, 11);
    // τ̂ = τ + noise with se uniform in [0.0001, 0.001] (the demo's effects span about −0.006..+0.009).
    let s = decide_support::noisy_scores(&d, 0.0001, 0.001, 5);
    // p̂0 is exact here, so the base-rate cut is set to the generator's: the test isolates the uplift
    // uncertainty, which is what the review queue is for. t+ = 0.10/40 = 0.0025 and t− = 0.001 are the defaults.
    let params = ArchetypeParams {
        base_rate_min: Some(TRUE_SURE_THING_MIN_P0),
        ..Default::default()
    };
    let a = assign(&s, &params).unwrap();
    let q = review(&s, &a, &ReviewParams::default()).unwrap();
    let (mut ap, mut at, mut fp, mut ft) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..s.len() {
        if q.approved(i) {
            ap.push(a.labels[i]);
            at.push(d.archetype[i]);
        } else {
            fp.push(a.labels[i]);
            ft.push(d.archetype[i]);
        }
    }
    let all = accuracy(&a.labels, &d.archetype).unwrap().overall;
    let approved = accuracy(&ap, &at).unwrap().overall;
    let flagged = accuracy(&fp, &ft).unwrap().overall;
    let share = q.summary.flagged_share;
    println!(
        "review on 50,000 demo users (seed 11, se 0.0001–0.001): accuracy all {:.1}%, auto-approved {:.1}%, flagged {:.1}%, flagged share {:.1}%; by reason {:?}",
        100.0 * all,
        100.0 * approved,
        100.0 * flagged,
        100.0 * share,
        q.summary.by_reason
    );
    assert!(
        approved - flagged >= 0.15,
        "approved {approved:.3} vs flagged {flagged:.3}"
    );
    // A usable queue: some users flagged, most auto-approved (measured: 20 %).
    assert!(share > 0.05 && share < 0.35, "flagged share {share}");
    // No τ̂ comes near 1 − p̂0 here, so the impossible-uplift flags are all noise pushing τ̂ below −p̂0
    // (a drop larger than the base rate) by more than one standard error.
    for i in 0..s.len() {
        if q.reason(i) == Some(ReviewReason::ImpossibleUplift) {
            assert!(s.uplift[i] < -d.p_control[i]);
        }
    }
    // Some true Persuadables exist and most are found.
    let acc = accuracy(&a.labels, &d.archetype).unwrap();
    assert!(acc.recall[Archetype::Persuadable.index()].1.unwrap() > 0.6);
}

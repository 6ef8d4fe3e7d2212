//! Cross-fitting folds: seeded, stratified by arm × outcome; which rows each fold's models may train on.
//!
//! Rows of each of the four strata (control/treated × converted or not) are shuffled with a seeded ChaCha8
//! stream and dealt round-robin, continuing the deal across strata, so every fold gets its share of each
//! arm's conversions and fold sizes differ by at most one row per stratum. Does not fit anything.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The fold of every row, and the row lists derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Folds {
    pub k: usize,
    /// `fold_of[i]` ∈ 0..k.
    pub fold_of: Vec<u32>,
}

impl Folds {
    /// Deal rows into `k` folds, stratified by arm × outcome (outcome > 0.5 counts as converted).
    pub fn stratified(treatment: &[bool], outcome: &[f64], k: usize, seed: u64) -> Folds {
        let k = k.max(1);
        let mut strata: [Vec<u32>; 4] = Default::default();
        for (i, (&t, &y)) in treatment.iter().zip(outcome).enumerate() {
            strata[usize::from(t) * 2 + usize::from(y > 0.5)].push(i as u32);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut fold_of = vec![0u32; treatment.len()];
        let mut dealt = 0usize;
        for s in strata.iter_mut() {
            s.shuffle(&mut rng);
            for &i in s.iter() {
                fold_of[i as usize] = (dealt % k) as u32;
                dealt += 1;
            }
        }
        Folds { k, fold_of }
    }

    /// Rows of fold `f` (ascending): the rows its models score.
    pub fn test_rows(&self, f: usize) -> Vec<u32> {
        (0..self.fold_of.len() as u32)
            .filter(|&i| self.fold_of[i as usize] as usize == f)
            .collect()
    }

    /// Rows outside fold `f` (ascending): the only rows its models may train on.
    pub fn train_rows(&self, f: usize) -> Vec<u32> {
        (0..self.fold_of.len() as u32)
            .filter(|&i| self.fold_of[i as usize] as usize != f)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fold_gets_its_share_of_each_stratum() {
        // 100 control (7 converted) and 300 treated (13 converted), 5 folds: 7 control converters dealt
        // round-robin give two folds 2 and three folds 1; 13 treated converters give 2 or 3 per fold.
        let treatment: Vec<bool> = (0..400).map(|i| i >= 100).collect();
        let outcome: Vec<f64> = (0..400)
            .map(|i| {
                if (i < 100 && i % 15 == 0) || (i >= 100 && i % 23 == 0) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let f = Folds::stratified(&treatment, &outcome, 5, 42);
        let count = |fold: usize, t: bool, y: bool| {
            (0..400)
                .filter(|&i| {
                    f.fold_of[i] as usize == fold && treatment[i] == t && (outcome[i] > 0.5) == y
                })
                .count()
        };
        let cc: Vec<usize> = (0..5).map(|k| count(k, false, true)).collect();
        assert_eq!(cc.iter().sum::<usize>(), 7);
        assert!(cc.iter().all(|&c| (1..=2).contains(&c)), "{cc:?}");
        for k in 0..5 {
            assert!((2..=3).contains(&count(k, true, true)));
            let n = f.test_rows(k).len();
            assert!((79..=81).contains(&n), "fold {k} has {n} rows");
            assert_eq!(f.train_rows(k).len() + n, 400);
        }
        assert_eq!(f, Folds::stratified(&treatment, &outcome, 5, 42));
        assert_ne!(f, Folds::stratified(&treatment, &outcome, 5, 43));
    }
}

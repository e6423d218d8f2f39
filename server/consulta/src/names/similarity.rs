//! How far apart two spellings are.

/// Optimal string alignment distance (Levenshtein plus adjacent
/// transposition), the count of typing mistakes between two ASCII names,
/// stopping early once it exceeds `limit` (then returns `limit + 1`).
pub fn typo_distance(a: &str, b: &str, limit: usize) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    if a == b {
        return 0;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n].min(limit + 1)
}

/// How many typing mistakes a name of this length may carry and still be
/// taken as the same name: none for very short names, where one letter
/// changes the name (ANA / AN, POP / POL), one up to nine letters, two beyond.
pub fn typo_allowance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    }
}

/// Plausible typing slips of a name per letter: a neighbouring key, a
/// letter dropped, doubled or swapped with the next.
const SLIPS_PER_LETTER: f64 = 10.0;

/// The chance that a slip made on a name of `len` letters is one given
/// slip: how surprising a particular misspelling is. Longer names have more
/// places to slip, so each misspelling of them is less likely.
pub fn slip_chance(len: usize) -> f64 {
    1.0 / (SLIPS_PER_LETTER * len.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_of_mistake_once() {
        assert_eq!(typo_distance("LOPEZ", "LOPEZ", 2), 0);
        assert_eq!(typo_distance("LOPEZ", "LOPEX", 2), 1); // substitution
        assert_eq!(typo_distance("LOPEZ", "LOPZ", 2), 1); // deletion
        assert_eq!(typo_distance("LOPEZ", "LLOPEZ", 2), 1); // insertion
        assert_eq!(typo_distance("LOPEZ", "LOEPZ", 2), 1); // transposition
        assert_eq!(typo_distance("GARCIA", "GRACIA", 2), 1);
        assert_eq!(typo_distance("MARIA", "MARTA", 2), 1);
    }

    #[test]
    fn stops_past_the_limit() {
        assert_eq!(typo_distance("LOPEZ", "GARCIA", 1), 2);
        assert_eq!(typo_distance("A", "ABCDEFG", 2), 3);
        assert_eq!(typo_distance("", "AB", 2), 2);
    }

    #[test]
    fn a_given_slip_is_rarer_on_longer_names() {
        assert!(slip_chance(4) > slip_chance(10));
        assert!((slip_chance(5) - 0.02).abs() < 1e-12);
        // Never divides by zero.
        assert!(slip_chance(0).is_finite());
    }

    #[test]
    fn allowance_grows_with_length() {
        assert_eq!(typo_allowance(3), 0);
        assert_eq!(typo_allowance(5), 1);
        assert_eq!(typo_allowance(12), 2);
    }
}

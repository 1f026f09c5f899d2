//! The sequence-reversal task: random strings and their reversals (`"abcd"` -> `"dcba"`).

use kerosene_tensor::Rng;

use crate::error::{DatasetError, Result};
use crate::sequence::SeqPairs;
use crate::vocab::CharVocab;

/// Random strings over an alphabet with lengths in `min_len..=max_len`, to be reversed.
///
/// ```
/// use kerosene_datasets::ReversalTask;
///
/// let task = ReversalTask::new("abcde", 3, 6)?;
/// let pairs = task.generate(100, 7)?;
/// let rev: String = pairs.inputs[0].chars().rev().collect();
/// assert_eq!(pairs.targets[0], rev);
/// let t = pairs.to_tensors(&task.vocab())?;
/// assert_eq!(t.encoder_input.shape(), &[100, 6]);
/// assert_eq!(t.decoder_target.shape(), &[100, 7]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReversalTask {
    alphabet: String,
    min_len: usize,
    max_len: usize,
}

impl ReversalTask {
    /// The task over the characters of `alphabet` (distinct, at least one) with lengths in
    /// `min_len..=max_len` (`1 <= min_len <= max_len`).
    pub fn new(alphabet: &str, min_len: usize, max_len: usize) -> Result<ReversalTask> {
        CharVocab::new(alphabet)?;
        if alphabet.is_empty() || min_len == 0 || min_len > max_len {
            return Err(DatasetError::invalid(
                "ReversalTask",
                format!(
                    "needs a non-empty alphabet and 1 <= min_len <= max_len, got {:?}, {min_len}, {max_len}",
                    alphabet
                ),
            ));
        }
        Ok(ReversalTask { alphabet: alphabet.to_string(), min_len, max_len })
    }

    /// The vocabulary of the alphabet (plus the special tokens).
    pub fn vocab(&self) -> CharVocab {
        CharVocab::new(&self.alphabet).expect("checked in new")
    }

    /// `n` random strings and their reversals, drawn with `seed`; both lengths are `max_len`
    /// (shorter strings are padded when turned into tensors).
    pub fn generate(&self, n: usize, seed: u64) -> Result<SeqPairs> {
        let chars: Vec<char> = self.alphabet.chars().collect();
        let mut rng = Rng::new(seed);
        let mut inputs = Vec::with_capacity(n);
        let mut targets = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.min_len + rng.below(self.max_len - self.min_len + 1);
            let s: String = (0..len).map(|_| chars[rng.below(chars.len())]).collect();
            targets.push(s.chars().rev().collect());
            inputs.push(s);
        }
        Ok(SeqPairs { inputs, targets, input_len: self.max_len, target_len: self.max_len })
    }
}

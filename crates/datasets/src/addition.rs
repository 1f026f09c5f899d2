//! The integer-addition task as text (Keras' "addition RNN" example): `"535+61 "` -> `"596 "`.

use std::collections::HashSet;

use kerosene_tensor::Rng;

use crate::error::{DatasetError, Result};
use crate::sequence::SeqPairs;
use crate::vocab::CharVocab;

/// Questions `a+b` with `a` and `b` of up to `digits` digits, padded with spaces to
/// `2 * digits + 1` characters; answers `a + b` padded with spaces to `digits + 1`.
///
/// Operands are drawn as in Keras' example: a length of 1 to `digits` digits uniformly, then a
/// number of that length. Questions in one draw are distinct, and `a+b` counts as the same
/// question as `b+a`, so [`AdditionTask::train_test`] gives a held-out set disjoint from the
/// training set (not even the commuted question is shared).
///
/// ```
/// use kerosene_datasets::AdditionTask;
///
/// let task = AdditionTask::new(3)?;
/// assert_eq!(task.format(535, 61), ("535+61 ".to_string(), "596 ".to_string()));
///
/// let (train, test) = task.train_test(1000, 200, 42)?;
/// assert_eq!((train.len(), test.len()), (1000, 200));
/// assert_eq!(train.inputs[0].len(), 7);
/// assert_eq!(train.targets[0].len(), 4);
///
/// let vocab = task.vocab();
/// let t = train.to_tensors(&vocab)?;
/// assert_eq!(t.encoder_input.shape(), &[1000, 7]);
/// assert_eq!(t.decoder_input.shape(), &[1000, 5]); // START + 4 answer characters
/// assert_eq!(t.decoder_target.shape(), &[1000, 5]); // 4 answer characters + END
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdditionTask {
    digits: usize,
    reverse: bool,
}

/// The largest supported number of digits (operands below 10^9, so sums fit easily).
pub const MAX_ADDITION_DIGITS: usize = 9;

impl AdditionTask {
    /// The task with operands of up to `digits` digits (1 to [`MAX_ADDITION_DIGITS`]).
    pub fn new(digits: usize) -> Result<AdditionTask> {
        if !(1..=MAX_ADDITION_DIGITS).contains(&digits) {
            return Err(DatasetError::invalid(
                "AdditionTask",
                format!("digits must be in 1..={MAX_ADDITION_DIGITS}, got {digits}"),
            ));
        }
        Ok(AdditionTask { digits, reverse: false })
    }

    /// Reverses each question string (Keras' trick that shortens the path from the last input
    /// digits to the first output digits): `"535+61 "` becomes `" 16+535"`.
    pub fn reverse_question(mut self, reverse: bool) -> Self {
        self.reverse = reverse;
        self
    }

    /// The maximum number of digits per operand.
    pub fn digits(&self) -> usize {
        self.digits
    }

    /// The question length, `2 * digits + 1`.
    pub fn question_len(&self) -> usize {
        2 * self.digits + 1
    }

    /// The answer length, `digits + 1`.
    pub fn answer_len(&self) -> usize {
        self.digits + 1
    }

    /// The vocabulary `"0123456789+ "` (plus the special tokens).
    pub fn vocab(&self) -> CharVocab {
        CharVocab::new("0123456789+ ").expect("distinct characters")
    }

    /// The padded question and answer strings of `a + b`.
    pub fn format(&self, a: u64, b: u64) -> (String, String) {
        let q = format!("{a}+{b}");
        let mut q = format!("{q:<width$}", width = self.question_len());
        if self.reverse {
            q = q.chars().rev().collect();
        }
        (q, format!("{:<width$}", a + b, width = self.answer_len()))
    }

    /// The number of distinct questions (unordered operand pairs).
    pub fn num_questions(&self) -> u128 {
        let m = 10u128.pow(self.digits as u32);
        m * (m + 1) / 2
    }

    /// `n` distinct questions drawn with `seed`; an error if there are fewer than `n`.
    pub fn generate(&self, n: usize, seed: u64) -> Result<SeqPairs> {
        let pairs = self.draw(n, seed)?;
        let (inputs, targets) = pairs.into_iter().map(|(a, b)| self.format(a, b)).unzip();
        Ok(SeqPairs { inputs, targets, input_len: self.question_len(), target_len: self.answer_len() })
    }

    /// A training set of `n_train` and a test set of `n_test` questions, all distinct (also up to
    /// commutation), drawn with `seed`.
    pub fn train_test(&self, n_train: usize, n_test: usize, seed: u64) -> Result<(SeqPairs, SeqPairs)> {
        if n_train == 0 || n_test == 0 {
            return Err(DatasetError::invalid(
                "AdditionTask",
                format!("both sides need questions, got {n_train} train and {n_test} test"),
            ));
        }
        let mut all = self.generate(n_train + n_test, seed)?;
        let test = SeqPairs {
            inputs: all.inputs.split_off(n_train),
            targets: all.targets.split_off(n_train),
            input_len: all.input_len,
            target_len: all.target_len,
        };
        Ok((all, test))
    }

    fn operand(&self, rng: &mut Rng) -> u64 {
        let len = 1 + rng.below(self.digits);
        rng.below(10usize.pow(len as u32)) as u64
    }

    /// `n` distinct unordered pairs: rejection sampling from Keras' distribution, or, when `n`
    /// is more than half of all questions, a shuffle of all of them.
    fn draw(&self, n: usize, seed: u64) -> Result<Vec<(u64, u64)>> {
        let total = self.num_questions();
        if n as u128 > total {
            return Err(DatasetError::invalid(
                "AdditionTask",
                format!("asked for {n} distinct questions, but {} digits give only {total}", self.digits),
            ));
        }
        let mut rng = Rng::new(seed);
        if 2 * n as u128 > total {
            let m = 10u64.pow(self.digits as u32);
            let mut all: Vec<(u64, u64)> = (0..m).flat_map(|a| (a..m).map(move |b| (a, b))).collect();
            rng.shuffle(&mut all);
            all.truncate(n);
            // Present each pair in a random order.
            return Ok(all.into_iter().map(|(a, b)| if rng.below(2) == 0 { (a, b) } else { (b, a) }).collect());
        }
        let mut seen = HashSet::with_capacity(n);
        let mut out = Vec::with_capacity(n);
        let budget = 100 * n + 10_000;
        for _ in 0..budget {
            if out.len() == n {
                break;
            }
            let (a, b) = (self.operand(&mut rng), self.operand(&mut rng));
            if seen.insert((a.min(b), a.max(b))) {
                out.push((a, b));
            }
        }
        if out.len() < n {
            return Err(DatasetError::invalid(
                "AdditionTask",
                format!(
                    "drew only {} distinct questions of the {n} asked; ask for fewer or use more digits",
                    out.len()
                ),
            ));
        }
        Ok(out)
    }
}

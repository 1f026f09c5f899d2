//! Sequence-to-sequence data: [`SeqPairs`] of input and target strings, and the
//! [`Seq2SeqTensors`] an encoder-decoder trains on with teacher forcing.

use kerosene_tensor::Tensor;

use crate::error::{DatasetError, Result};
use crate::vocab::{CharVocab, END, PAD, START};

/// Pairs of input and target strings with fixed maximum lengths (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeqPairs {
    /// The input strings, at most `input_len` characters each.
    pub inputs: Vec<String>,
    /// The target strings, at most `target_len` characters each.
    pub targets: Vec<String>,
    /// The encoder length `T_in`.
    pub input_len: usize,
    /// The longest target `T_out` (decoder tensors have `T_out + 1` steps).
    pub target_len: usize,
}

/// Token-id tensors (`f32` whole numbers) for an encoder-decoder trained with teacher forcing.
///
/// For a target `"596 "` (`T_out` = 4): `decoder_input` is `START 5 9 6 ' '` and
/// `decoder_target` is `5 9 6 ' ' END`; a shorter target is followed by [`PAD`]s.
#[derive(Clone, Debug)]
pub struct Seq2SeqTensors {
    /// `[N, T_in]`: the inputs, padded with [`PAD`].
    pub encoder_input: Tensor,
    /// `[N, T_out + 1]`: [`START`] then the target, padded.
    pub decoder_input: Tensor,
    /// `[N, T_out + 1]`: the target then [`END`], padded.
    pub decoder_target: Tensor,
}

impl SeqPairs {
    /// Pairs from two lists; an error if their lengths differ. The maximum lengths are those of
    /// the longest strings.
    pub fn new(inputs: Vec<String>, targets: Vec<String>) -> Result<SeqPairs> {
        if inputs.len() != targets.len() {
            return Err(DatasetError::invalid(
                "SeqPairs",
                format!("{} inputs but {} targets", inputs.len(), targets.len()),
            ));
        }
        let input_len = inputs.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        let target_len = targets.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        Ok(SeqPairs { inputs, targets, input_len, target_len })
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// True if there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// A vocabulary of every character in the inputs and targets.
    pub fn vocab(&self) -> CharVocab {
        CharVocab::from_texts(self.inputs.iter().chain(&self.targets))
    }

    /// The encoder inputs as `[N, input_len]` ids.
    pub fn encoder_input(&self, vocab: &CharVocab) -> Result<Tensor> {
        vocab.encode_batch(&self.inputs, self.input_len)
    }

    /// The three teacher-forcing tensors; an error if a character is not in `vocab`.
    ///
    /// ```
    /// use kerosene_datasets::{CharVocab, SeqPairs};
    ///
    /// let pairs = SeqPairs::new(vec!["ab".into()], vec!["ba".into()])?;
    /// let vocab = CharVocab::new("ab")?; // a = 3, b = 4
    /// let t = pairs.to_tensors(&vocab)?;
    /// assert_eq!(t.encoder_input.to_vec::<f32>(), vec![3.0, 4.0]);
    /// assert_eq!(t.decoder_input.to_vec::<f32>(), vec![1.0, 4.0, 3.0]); // START b a
    /// assert_eq!(t.decoder_target.to_vec::<f32>(), vec![4.0, 3.0, 2.0]); // b a END
    /// # Ok::<(), kerosene_datasets::DatasetError>(())
    /// ```
    pub fn to_tensors(&self, vocab: &CharVocab) -> Result<Seq2SeqTensors> {
        let n = self.len();
        let steps = self.target_len + 1;
        let mut dec_in = Vec::with_capacity(n * steps);
        let mut dec_out = Vec::with_capacity(n * steps);
        for t in &self.targets {
            let ids = vocab.encode_padded(t, self.target_len)?;
            let used = t.chars().count();
            dec_in.push(START as f32);
            dec_in.extend(ids.iter().map(|&i| i as f32));
            dec_out.extend(ids[..used].iter().map(|&i| i as f32));
            dec_out.push(END as f32);
            dec_out.extend(std::iter::repeat_n(PAD as f32, steps - used - 1));
        }
        Ok(Seq2SeqTensors {
            encoder_input: self.encoder_input(vocab)?,
            decoder_input: Tensor::try_from_vec(dec_in, &[n, steps])?,
            decoder_target: Tensor::try_from_vec(dec_out, &[n, steps])?,
        })
    }
}

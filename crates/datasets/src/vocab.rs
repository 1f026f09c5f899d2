//! [`CharVocab`]: a character vocabulary with padding, start and end tokens, turning text into
//! token ids (and tensors of them) and back.

use std::collections::HashMap;

use kerosene_tensor::Tensor;

use crate::error::{DatasetError, Result};

/// The id of the padding token.
pub const PAD: usize = 0;
/// The id of the start-of-sequence token (the first decoder input under teacher forcing).
pub const START: usize = 1;
/// The id of the end-of-sequence token (the last decoder target).
pub const END: usize = 2;
/// The number of special tokens; characters have ids from this value on.
pub const NUM_SPECIAL: usize = 3;

/// A vocabulary of single characters plus three special tokens: [`PAD`] = 0, [`START`] = 1,
/// [`END`] = 2; the characters follow in the order given.
///
/// Tensors of ids are `f32` holding whole numbers (as the embedding and loss layers expect).
///
/// ```
/// use kerosene_datasets::{CharVocab, END, PAD, START};
///
/// let vocab = CharVocab::new("0123456789+ ")?;
/// assert_eq!(vocab.len(), 15);
/// let ids = vocab.encode("12+3")?;
/// assert_eq!(ids, vec![4, 5, 13, 6]);
/// assert_eq!(vocab.decode(&[START, 4, 5, END, PAD])?, "12");
///
/// let batch = vocab.encode_batch(&["1", "23"], 3)?;
/// assert_eq!(batch.to_vec::<f32>(), vec![4.0, 0.0, 0.0, 5.0, 6.0, 0.0]);
/// assert_eq!(vocab.decode_batch(&batch)?, vec!["1", "23"]);
///
/// let err = vocab.encode("1-2").unwrap_err();
/// assert_eq!(err.to_string(), "CharVocab: character '-' at position 1 of \"1-2\" is not in the vocabulary");
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharVocab {
    chars: Vec<char>,
    index: HashMap<char, usize>,
}

impl CharVocab {
    /// A vocabulary of the characters of `alphabet`, in order; an error if one repeats.
    pub fn new(alphabet: &str) -> Result<CharVocab> {
        let mut index = HashMap::new();
        let mut chars = Vec::new();
        for (i, c) in alphabet.chars().enumerate() {
            if index.insert(c, NUM_SPECIAL + chars.len()).is_some() {
                return Err(DatasetError::invalid(
                    "CharVocab",
                    format!("character {c:?} appears twice in the alphabet (again at position {i})"),
                ));
            }
            chars.push(c);
        }
        Ok(CharVocab { chars, index })
    }

    /// A vocabulary of every character that occurs in `texts`, sorted.
    pub fn from_texts<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> CharVocab {
        let mut chars: Vec<char> = texts.into_iter().flat_map(|t| t.as_ref().chars().collect::<Vec<_>>()).collect();
        chars.sort_unstable();
        chars.dedup();
        let index = chars.iter().enumerate().map(|(i, &c)| (c, NUM_SPECIAL + i)).collect();
        CharVocab { chars, index }
    }

    /// The number of tokens: the characters plus the three special tokens.
    pub fn len(&self) -> usize {
        NUM_SPECIAL + self.chars.len()
    }

    /// Always false: there are always the special tokens.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The characters, in id order (the first has id [`NUM_SPECIAL`]).
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The id of `c`, if it is in the vocabulary.
    pub fn id(&self, c: char) -> Option<usize> {
        self.index.get(&c).copied()
    }

    /// The character of `id`, `None` for a special token or an id out of range.
    pub fn char_of(&self, id: usize) -> Option<char> {
        id.checked_sub(NUM_SPECIAL).and_then(|i| self.chars.get(i).copied())
    }

    /// The ids of the characters of `text`; an error naming the first unknown character.
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                self.id(c).ok_or_else(|| {
                    DatasetError::invalid(
                        "CharVocab",
                        format!("character {c:?} at position {i} of {text:?} is not in the vocabulary"),
                    )
                })
            })
            .collect()
    }

    /// The ids of `text` followed by [`PAD`] up to `len`; an error if `text` is longer.
    pub fn encode_padded(&self, text: &str, len: usize) -> Result<Vec<usize>> {
        let mut ids = self.encode(text)?;
        if ids.len() > len {
            return Err(DatasetError::invalid(
                "CharVocab",
                format!("{text:?} has {} characters, more than the length {len}", ids.len()),
            ));
        }
        ids.resize(len, PAD);
        Ok(ids)
    }

    /// The text of `ids`: stops at the first [`END`], skips [`PAD`] and [`START`]; an error for
    /// an id out of range.
    pub fn decode(&self, ids: &[usize]) -> Result<String> {
        let mut s = String::new();
        for &id in ids {
            match id {
                END => break,
                PAD | START => {}
                _ => s.push(self.char_of(id).ok_or_else(|| {
                    DatasetError::invalid(
                        "CharVocab",
                        format!("token id {id} is out of range for a vocabulary of {}", self.len()),
                    )
                })?),
            }
        }
        Ok(s)
    }

    /// `[texts.len(), len]` ids (`f32`), each row padded with [`PAD`].
    pub fn encode_batch<S: AsRef<str>>(&self, texts: &[S], len: usize) -> Result<Tensor> {
        let mut v = Vec::with_capacity(texts.len() * len);
        for t in texts {
            v.extend(self.encode_padded(t.as_ref(), len)?.into_iter().map(|i| i as f32));
        }
        Ok(Tensor::try_from_vec(v, &[texts.len(), len])?)
    }

    /// Decodes each row of a `[N, T]` tensor of ids (e.g. the argmax of a decoder's output).
    pub fn decode_batch(&self, ids: &Tensor) -> Result<Vec<String>> {
        if ids.ndim() != 2 {
            return Err(DatasetError::invalid(
                "CharVocab",
                format!("decode_batch expects [N, T] ids, got shape {:?}", ids.shape()),
            ));
        }
        let t = ids.shape()[1];
        let flat = kerosene_tensor::indices_in_range("CharVocab::decode_batch", ids, self.len())?;
        if t == 0 {
            return Ok(vec![String::new(); ids.shape()[0]]);
        }
        flat.chunks_exact(t).map(|row| self.decode(row)).collect()
    }
}

//! [`Seq2Seq`]: a PyTorch-style encoder-decoder over token ids.

use kerosene_autograd::{Var, no_grad};
use kerosene_tensor::{Rng, Tensor};

use crate::layer::Layer;
use crate::layers::dense::Dense;
use crate::layers::embedding::Embedding;
use crate::layers::recurrent::{GRU, LSTM, RecurrentLayer, padding_mask};
use crate::module::{Module, Visitor};

/// The recurrence of a [`Seq2Seq`]'s encoder and decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seq2SeqCell {
    /// [`LSTM`]s: the encoder's final `h` and `c` start the decoder.
    #[default]
    Lstm,
    /// [`GRU`]s: the encoder's final `h` starts the decoder.
    Gru,
}

/// The sizes of a [`Seq2Seq`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seq2SeqConfig {
    /// Tokens in the (shared) vocabulary.
    pub vocab_size: usize,
    /// Size of the token embeddings.
    pub embed_dim: usize,
    /// State size of the encoder and the decoder.
    pub hidden: usize,
    /// LSTM or GRU.
    pub cell: Seq2SeqCell,
    /// A padding id: its embedding is zero and masked encoder steps are skipped (the state is
    /// carried over).
    pub pad_id: Option<usize>,
    /// For [`Module::forward`], which takes the encoder ids and the decoder input ids
    /// concatenated along time: the number of encoder steps.
    pub source_len: Option<usize>,
}

impl Seq2SeqConfig {
    /// LSTMs, no padding id, no `source_len`.
    pub fn new(vocab_size: usize, embed_dim: usize, hidden: usize) -> Seq2SeqConfig {
        Seq2SeqConfig { vocab_size, embed_dim, hidden, cell: Seq2SeqCell::Lstm, pad_id: None, source_len: None }
    }
}

/// An encoder-decoder (Sutskever et al. 2014, as in PyTorch's seq2seq tutorial): a token
/// embedding shared by both sides, a recurrent encoder whose final state initializes a
/// recurrent decoder, and a dense layer from the decoder's outputs to vocabulary logits.
///
/// ```text
/// (_, s)   = encoder(embed(source))            s = (h, c) for LSTMs, h for GRUs
/// out      = decoder(embed(target_in), s)      every step
/// logits   = out W + b                         [N, T_dec, V]
/// ```
///
/// Train with [`Seq2Seq::forward_teacher_forcing`] (the decoder reads the true previous token:
/// `START` then the target) and cross-entropy against the target followed by `END`; predict
/// with [`Seq2Seq::greedy_decode`], which feeds each step's argmax back in.
///
/// # Shapes
/// - source ids `[N, T_enc]`, decoder input ids `[N, T_dec]` (whole numbers, any float dtype),
///   logits `[N, T_dec, V]`
/// - `embedding.embeddings: [V, E]`; `encoder.*`, `decoder.*`: an LSTM / GRU's weights (`E`
///   features, `H` units); `output.kernel: [H, V]`, `output.bias: [V]`
///
/// # Example
/// ```
/// use kerosene_nn::{Module, Seq2Seq};
/// use kerosene_tensor::{Rng, Tensor};
/// let model = Seq2Seq::new(12, 8, 16, &mut Rng::new(0));
/// let src = Tensor::from_vec(vec![3.0f32, 4.0, 5.0, 6.0, 7.0, 8.0], &[2, 3]);
/// let dec_in = Tensor::from_vec(vec![1.0f32, 9.0, 1.0, 10.0], &[2, 2]);
/// assert_eq!(model.forward_teacher_forcing(&src, &dec_in).shape(), &[2, 2, 12]);
/// let out = model.greedy_decode(&src, 1, 2, 5);
/// assert_eq!(out.len(), 2);
/// assert!(out.iter().all(|s| s.len() <= 5));
/// // embedding, encoder and decoder LSTMs, output layer:
/// assert_eq!(model.num_parameters(), 12 * 8 + 2 * 4 * 16 * (8 + 16 + 1) + 16 * 12 + 12);
/// ```
pub struct Seq2Seq {
    cfg: Seq2SeqConfig,
    embedding: Embedding,
    encoder: Box<dyn RecurrentLayer>,
    decoder: Box<dyn RecurrentLayer>,
    output: Dense,
}

impl Seq2Seq {
    /// An LSTM encoder-decoder over a vocabulary of `vocab_size` tokens, with embeddings of
    /// `embed_dim` and states of `hidden`, its weights drawn from `rng`.
    ///
    /// # Panics
    /// If a size is 0.
    #[track_caller]
    pub fn new(vocab_size: usize, embed_dim: usize, hidden: usize, rng: &mut Rng) -> Seq2Seq {
        Seq2Seq::from_config(Seq2SeqConfig::new(vocab_size, embed_dim, hidden), rng)
    }

    /// The model a configuration describes, its weights drawn from `rng`.
    ///
    /// # Panics
    /// If a size is 0 or the padding id is not in the vocabulary.
    #[track_caller]
    pub fn from_config(cfg: Seq2SeqConfig, rng: &mut Rng) -> Seq2Seq {
        let mut embedding = Embedding::new(cfg.vocab_size, cfg.embed_dim);
        if let Some(p) = cfg.pad_id {
            embedding = embedding.padding_idx(p);
        }
        let (mut encoder, mut decoder): (Box<dyn RecurrentLayer>, Box<dyn RecurrentLayer>) = match cfg.cell {
            Seq2SeqCell::Lstm => (
                Box::new(LSTM::new(cfg.hidden).name("encoder")),
                Box::new(LSTM::new(cfg.hidden).name("decoder").return_sequences(true)),
            ),
            Seq2SeqCell::Gru => (
                Box::new(GRU::new(cfg.hidden).name("encoder")),
                Box::new(GRU::new(cfg.hidden).name("decoder").return_sequences(true)),
            ),
        };
        let mut output = Dense::new(cfg.vocab_size).name("output");
        embedding.build(&[1], rng).expect("ids of any length");
        encoder.build(&[1, cfg.embed_dim], rng).expect("a fresh layer");
        decoder.build(&[1, cfg.embed_dim], rng).expect("a fresh layer");
        output.build(&[cfg.hidden], rng).expect("a fresh layer");
        Seq2Seq { cfg, embedding, encoder, decoder, output }
    }

    /// The configuration.
    pub fn config(&self) -> &Seq2SeqConfig {
        &self.cfg
    }

    /// The shared token embedding.
    pub fn embedding(&self) -> &Embedding {
        &self.embedding
    }

    /// The encoder.
    pub fn encoder(&self) -> &dyn RecurrentLayer {
        self.encoder.as_ref()
    }

    /// The decoder.
    pub fn decoder(&self) -> &dyn RecurrentLayer {
        self.decoder.as_ref()
    }

    /// The output layer.
    pub fn output_layer(&self) -> &Dense {
        &self.output
    }

    /// The encoder's final states for source ids `[N, T_enc]` (padding steps skipped if the
    /// model has a padding id).
    #[track_caller]
    pub fn encode(&self, source: &Tensor) -> Vec<Var> {
        if source.ndim() != 2 {
            panic!("Seq2Seq: source ids must be [batch, time], got shape {:?}", source.shape());
        }
        let mask = self.cfg.pad_id.map(|p| padding_mask(source, p));
        let x = self.embedding.forward(&Var::new(source.clone()));
        self.encoder.run(&x, None, mask.as_ref(), false).states
    }

    /// Decoder logits `[N, T, V]` for input ids `[N, T]` from the given states, and the states after.
    #[track_caller]
    pub fn decode(&self, decoder_input: &Tensor, states: &[Var]) -> (Var, Vec<Var>) {
        if decoder_input.ndim() != 2 {
            panic!("Seq2Seq: decoder input ids must be [batch, time], got shape {:?}", decoder_input.shape());
        }
        let x = self.embedding.forward(&Var::new(decoder_input.clone()));
        let out = self.decoder.run(&x, Some(states), None, false);
        (self.output.forward(&out.output), out.states)
    }

    /// Training with teacher forcing: logits `[N, T_dec, V]` for every decoder step, where the
    /// decoder reads `decoder_input` (`START` then the target) from the encoder's final state.
    ///
    /// # Panics
    /// If the ids are not `[N, T]` tensors with the same `N`, or an id is out of range.
    #[track_caller]
    pub fn forward_teacher_forcing(&self, source: &Tensor, decoder_input: &Tensor) -> Var {
        if source.ndim() != 2 || decoder_input.ndim() != 2 || source.shape()[0] != decoder_input.shape()[0] {
            panic!(
                "Seq2Seq: source and decoder input ids must be [batch, time] with the same batch, got {:?} and {:?}",
                source.shape(),
                decoder_input.shape()
            );
        }
        let states = self.encode(source);
        self.decode(decoder_input, &states).0
    }

    /// Greedy decoding, batched, without recording a graph: from the encoder's state, the
    /// decoder reads `start_id`, then at each step its own previous argmax, for at most
    /// `max_len` steps or until every sequence has produced `end_id`. Returns, per sample, the
    /// ids produced before `end_id` (neither `start_id` nor `end_id` included).
    ///
    /// # Panics
    /// If `source` is not `[N, T]` or an id is out of range.
    #[track_caller]
    pub fn greedy_decode(&self, source: &Tensor, start_id: usize, end_id: usize, max_len: usize) -> Vec<Vec<usize>> {
        no_grad(|| {
            let n = source.shape().first().copied().unwrap_or(0);
            let mut states = self.encode(source);
            let mut tokens = vec![start_id; n];
            let mut done = vec![false; n];
            let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
            for _ in 0..max_len {
                if done.iter().all(|&d| d) {
                    break;
                }
                let ids = Tensor::from_vec(tokens.iter().map(|&t| t as f32).collect::<Vec<_>>(), &[n, 1]);
                let (logits, next_states) = self.decode(&ids, &states);
                states = next_states;
                tokens = logits.value().argmax_indices(-1);
                for (i, &tok) in tokens.iter().enumerate() {
                    if done[i] {
                        continue;
                    }
                    if tok == end_id {
                        done[i] = true;
                    } else {
                        out[i].push(tok);
                    }
                }
            }
            out
        })
    }
}

impl Module for Seq2Seq {
    /// Teacher forcing on `[N, T_enc + T_dec]` ids: the encoder ids then the decoder input
    /// ids, split at `source_len` from the configuration.
    ///
    /// # Panics
    /// If the configuration has no `source_len` (use [`Seq2Seq::forward_teacher_forcing`]).
    fn forward(&self, x: &Var) -> Var {
        let Some(ts) = self.cfg.source_len else {
            panic!(
                "Seq2Seq::forward needs Seq2SeqConfig::source_len to split its input; or call forward_teacher_forcing(source, decoder_input)"
            )
        };
        let ids = x.value();
        if ids.ndim() != 2 || ids.shape()[1] <= ts {
            panic!("Seq2Seq::forward expects [batch, {ts} + decoder steps] ids, got shape {:?}", ids.shape());
        }
        let t = ids.shape()[1];
        self.forward_teacher_forcing(&ids.slice(1, 0, ts, 1), &ids.slice(1, ts, t, 1))
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        v.module("embedding", &self.embedding);
        v.module("encoder", self.encoder.as_ref());
        v.module("decoder", self.decoder.as_ref());
        v.module("output", &self.output);
    }
}

//! Fused recurrent sequences: a whole LSTM, GRU or simple RNN over all time steps as ONE op,
//! with a hand-written backward through time (BPTT).
//!
//! Two entry points per cell: [`Var::lstm`] (and [`Var::gru`], [`Var::simple_rnn`]) take the
//! input `x: [N, T, F]` with all the weights ([`RnnParams`]) and project every step's input with
//! one GEMM `[N T, F] x [F, G U]` straight into the op's gate buffer (`G` = 4 gates for the
//! LSTM, 3 for the GRU, 1 for the simple RNN); [`Var::lstm_sequence`] (and the others) take an
//! input already projected, `x_proj: [N, T, G U]`. Weights are in Keras' layout and gate order.
//! Each step is one `[N, U] x [U, G U]` GEMM followed by one pass over the gates.
//!
//! Forward and backward split the batch across threads (each sample's recurrence is
//! independent), run every step of their rows, and save the gate activations. The backward
//! walks the steps in reverse, writes the gate gradients of every step into one buffer (which
//! *is* the gradient of `x_proj`), folds `dh_{t-1} += dz_t Rᵀ` into the running state gradient
//! with a `beta = 1` GEMM, and finally gets the weight gradients as single GEMMs over all
//! `N T` rows: `dR = H_prevᵀ dZ`, `dK = Xᵀ dZ`. No per-step allocation, no per-step graph node;
//! the large work buffers are recycled from one call to the next (a small pool), so a training
//! loop does not fault in fresh pages for them at every batch. The gate loops are compiled for
//! AVX-512 and AVX2 and chosen at run time.
//!
//! Masks (`[N, T]`, nonzero = a real step) give Keras' `mask_zero` semantics: at a masked step
//! the state (h and c) is carried over unchanged, and the output at that step is the carried
//! `h`. In backward, a masked step passes the state gradient through untouched.
//!
//! Masks (Keras semantics) differ from Keras in one corner: with a nonzero initial state, Keras
//! outputs zeros at masked steps that precede the first real step; here the output there is the
//! carried initial state.
//!
//! The op's value packs every output in one tensor `[N, T + k, U]` (the aligned outputs, then
//! the last `h`, then the last `c` for the LSTM); [`RecurrentSequence`] hands out slices of it.
//! Without [`RnnConfig::return_sequences`] only the final states are produced (`[N, k, U]`), which
//! saves the per-step outputs and their gradient buffer when only the last state is used (a
//! classifier, an encoder, a decoding step).

mod common;
mod gru;
mod lstm;
mod simple_rnn;

use kerosene_tensor::Tensor;

use common::{Args, Source};

use crate::{FusedActivation, Var};

/// The activations, direction and outputs of a fused recurrent op.
///
/// Activations are those whose derivative is a function of their output (the ones
/// [`FusedActivation`] has). The defaults are Keras': `tanh` for the candidate / output and
/// `sigmoid` for the gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RnnConfig {
    /// The candidate and cell-output activation (`tanh`); the simple RNN's only activation.
    pub activation: FusedActivation,
    /// The gate activation (`sigmoid`); unused by the simple RNN.
    pub recurrent_activation: FusedActivation,
    /// Process the steps from last to first (the backward half of a bidirectional layer). The
    /// outputs stay aligned with the input steps: `outputs[:, t]` is the state after reading
    /// step `t`, and `last_h` is the state after reading step 0.
    pub reverse: bool,
    /// Output the state of every step (`RecurrentSequence::outputs`); when false only the final
    /// states are produced, which saves a `[N, T, U]` buffer and its gradient.
    pub return_sequences: bool,
}

impl Default for RnnConfig {
    fn default() -> Self {
        RnnConfig {
            activation: FusedActivation::Tanh,
            recurrent_activation: FusedActivation::Sigmoid,
            reverse: false,
            return_sequences: true,
        }
    }
}

impl RnnConfig {
    /// This configuration read in reverse (see [`RnnConfig::reverse`]).
    pub fn reversed(mut self, reverse: bool) -> RnnConfig {
        self.reverse = reverse;
        self
    }

    /// This configuration with or without the per-step outputs (see
    /// [`RnnConfig::return_sequences`]).
    pub fn with_sequences(mut self, on: bool) -> RnnConfig {
        self.return_sequences = on;
        self
    }
}

/// The outputs of a fused recurrent op.
#[derive(Debug, Clone)]
pub struct RecurrentSequence {
    /// `[N, T, U]`: the hidden state after each step (aligned with the input steps); `None` if
    /// the op ran without [`RnnConfig::return_sequences`].
    pub outputs: Option<Var>,
    /// `[N, U]`: the final hidden state.
    pub last_h: Var,
    /// `[N, U]`: the final cell state (LSTM only).
    pub last_c: Option<Var>,
    /// The op's result, of which the fields are slices: `[N, T + 2, U]` for the LSTM (the
    /// outputs, the last h, the last c), `[N, T + 1, U]` otherwise; without the outputs
    /// (`return_sequences` off) `[N, 2, U]` or `[N, 1, U]`.
    pub packed: Var,
}

impl RecurrentSequence {
    fn unpack(packed: Var, t: usize, with_c: bool, cfg: RnnConfig) -> RecurrentSequence {
        let so = if cfg.return_sequences { t } else { 0 };
        let outputs = cfg.return_sequences.then(|| packed.slice(1, 0, t, 1));
        let last_h = packed.select(1, so);
        let last_c = with_c.then(|| packed.select(1, so + 1));
        RecurrentSequence { outputs, last_h, last_c, packed }
    }

    /// The final states, `[h, c]` for the LSTM and `[h]` otherwise (Keras' `return_state`).
    pub fn states(&self) -> Vec<Var> {
        let mut s = vec![self.last_h.clone()];
        s.extend(self.last_c.clone());
        s
    }
}

/// The weights of a recurrent layer for the ops that project their input themselves
/// ([`Var::lstm`], [`Var::gru`], [`Var::simple_rnn`]), in Keras' layout (`G` gates of `U` units).
#[derive(Debug, Clone, Copy)]
pub struct RnnParams<'a> {
    /// `[F, G U]`, the input kernel.
    pub kernel: &'a Var,
    /// `[U, G U]`.
    pub recurrent_kernel: &'a Var,
    /// `[G U]`, added to the input part.
    pub bias: Option<&'a Var>,
    /// `[G U]`: the GRU's recurrent bias (inside `r ⊙ (h R + b_rec)`); the LSTM and the simple
    /// RNN add it to `bias` (PyTorch's `b_hh`).
    pub recurrent_bias: Option<&'a Var>,
}

impl<'a> RnnParams<'a> {
    /// Kernels without biases.
    pub fn new(kernel: &'a Var, recurrent_kernel: &'a Var) -> RnnParams<'a> {
        RnnParams { kernel, recurrent_kernel, bias: None, recurrent_bias: None }
    }

    /// With an input bias.
    pub fn bias(mut self, b: Option<&'a Var>) -> RnnParams<'a> {
        self.bias = b;
        self
    }

    /// With a recurrent bias.
    pub fn recurrent_bias(mut self, b: Option<&'a Var>) -> RnnParams<'a> {
        self.recurrent_bias = b;
        self
    }
}

impl Var {
    /// A whole LSTM layer over a sequence, as one op (Keras' `LSTM`, gate order `i, f, c, o`),
    /// from an input already projected.
    ///
    /// `self` is the projected input `x_proj = x K + b`, `[N, T, 4U]`; `recurrent_kernel` is
    /// `[U, 4U]`. With `z_t = x_proj[:, t] + h_{t-1} R` split into `z_i, z_f, z_c, z_o`:
    ///
    /// ```text
    /// i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
    /// c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
    /// ```
    ///
    /// (`σ` is `cfg.recurrent_activation`, `tanh` is `cfg.activation`). `h0`, `c0` are `[N, U]`
    /// (zeros if `None`); `mask` is `[N, T]`, nonzero for real steps (a masked step carries the
    /// state over). Gradients flow to `self`, the kernel and the initial states. [`Var::lstm`]
    /// does the projection itself and saves a buffer.
    ///
    /// ```
    /// use kerosene_autograd::{RnnConfig, Var};
    /// use kerosene_tensor::Tensor;
    /// let (n, t, u) = (2, 3, 4);
    /// let x_proj = Var::param(Tensor::ones(&[n, t, 4 * u]));
    /// let r = Var::param(Tensor::zeros(&[u, 4 * u]));
    /// let seq = x_proj.lstm_sequence(&r, None, None, None, RnnConfig::default());
    /// assert_eq!(seq.outputs.as_ref().unwrap().shape(), &[n, t, u]);
    /// assert_eq!(seq.last_c.as_ref().unwrap().shape(), &[n, u]);
    /// // One step from zero state: c = σ(1) tanh(1), h = σ(1) tanh(c).
    /// let s = 1.0 / (1.0 + (-1.0f64).exp());
    /// let h1 = s * (s * 1f64.tanh()).tanh();
    /// assert!((seq.outputs.unwrap().value().at(&[0, 0, 0]) - h1).abs() < 1e-6);
    /// seq.last_h.sum_all().backward();
    /// assert_eq!(r.grad().unwrap().shape(), &[u, 4 * u]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit (the message names them) or the dtypes differ.
    #[track_caller]
    pub fn lstm_sequence(
        &self,
        recurrent_kernel: &Var,
        h0: Option<&Var>,
        c0: Option<&Var>,
        mask: Option<&Tensor>,
        cfg: RnnConfig,
    ) -> RecurrentSequence {
        let args = Args {
            src: Source::Projected(self),
            recurrent_kernel,
            bias: None,
            recurrent_bias: None,
            h0,
            c0,
            mask,
            cfg,
        };
        RecurrentSequence::unpack(lstm::lstm_op(args), self.shape()[1], true, cfg)
    }

    /// A whole LSTM layer over `self = x: [N, T, F]`, as one op: the input projection of all
    /// steps (`x K + b`, one GEMM), the recurrence and the backward through time. The formulas
    /// of [`Var::lstm_sequence`] with `x_proj = x K + b`.
    ///
    /// ```
    /// use kerosene_autograd::{RnnConfig, RnnParams, Var};
    /// use kerosene_tensor::{Rng, Tensor};
    /// let mut rng = Rng::new(0);
    /// let x = Var::new(Tensor::randn(&[8, 5, 3], &mut rng));
    /// let k = Var::param(Tensor::randn(&[3, 4 * 6], &mut rng));
    /// let r = Var::param(Tensor::randn(&[6, 4 * 6], &mut rng));
    /// let b = Var::param(Tensor::zeros(&[4 * 6]));
    /// let seq = x.lstm(RnnParams::new(&k, &r).bias(Some(&b)), None, None, None, RnnConfig::default());
    /// assert_eq!(seq.last_h.shape(), &[8, 6]);
    /// seq.last_h.sum_all().backward();
    /// assert_eq!(k.grad().unwrap().shape(), &[3, 24]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit (the message names them) or the dtypes differ.
    #[track_caller]
    pub fn lstm(
        &self,
        p: RnnParams<'_>,
        h0: Option<&Var>,
        c0: Option<&Var>,
        mask: Option<&Tensor>,
        cfg: RnnConfig,
    ) -> RecurrentSequence {
        let args = Args {
            src: Source::Input { x: self, kernel: p.kernel },
            recurrent_kernel: p.recurrent_kernel,
            bias: p.bias,
            recurrent_bias: p.recurrent_bias,
            h0,
            c0,
            mask,
            cfg,
        };
        RecurrentSequence::unpack(lstm::lstm_op(args), self.shape()[1], true, cfg)
    }

    /// A whole GRU layer over a sequence, as one op (Keras' `GRU` with `reset_after=True`, gate
    /// order `z, r, h`; PyTorch's `nn.GRU` computes the same), from an input already projected.
    ///
    /// `self` is `x_proj = x K + b_in`, `[N, T, 3U]`; `recurrent_kernel` is `[U, 3U]` and
    /// `recurrent_bias` `[3U]`. With `a_t = h_{t-1} R + b_rec` split into `a_z, a_r, a_h`:
    ///
    /// ```text
    /// z = σ(x_z + a_z)   r = σ(x_r + a_r)   ĥ = tanh(x_h + r ⊙ a_h)
    /// h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ
    /// ```
    ///
    /// ```
    /// use kerosene_autograd::{RnnConfig, Var};
    /// use kerosene_tensor::Tensor;
    /// let x_proj = Var::param(Tensor::zeros(&[2, 5, 3 * 4]));
    /// let r = Var::param(Tensor::zeros(&[4, 3 * 4]));
    /// let seq = x_proj.gru_sequence(&r, None, None, None, RnnConfig::default());
    /// assert_eq!(seq.outputs.unwrap().shape(), &[2, 5, 4]);
    /// assert!(seq.last_c.is_none());
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit or the dtypes differ.
    #[track_caller]
    pub fn gru_sequence(
        &self,
        recurrent_kernel: &Var,
        recurrent_bias: Option<&Var>,
        h0: Option<&Var>,
        mask: Option<&Tensor>,
        cfg: RnnConfig,
    ) -> RecurrentSequence {
        let args = Args {
            src: Source::Projected(self),
            recurrent_kernel,
            bias: None,
            recurrent_bias,
            h0,
            c0: None,
            mask,
            cfg,
        };
        RecurrentSequence::unpack(gru::gru_op(args), self.shape()[1], false, cfg)
    }

    /// A whole GRU layer over `self = x: [N, T, F]` as one op, projecting the input itself (the
    /// formulas of [`Var::gru_sequence`] with `x_proj = x K + b`).
    ///
    /// ```
    /// use kerosene_autograd::{RnnConfig, RnnParams, Var};
    /// use kerosene_tensor::{Rng, Tensor};
    /// let mut rng = Rng::new(0);
    /// let x = Var::new(Tensor::randn(&[8, 5, 3], &mut rng));
    /// let k = Var::param(Tensor::randn(&[3, 3 * 6], &mut rng));
    /// let r = Var::param(Tensor::randn(&[6, 3 * 6], &mut rng));
    /// let seq = x.gru(RnnParams::new(&k, &r), None, None, RnnConfig::default());
    /// assert_eq!(seq.last_h.shape(), &[8, 6]);
    /// seq.last_h.sum_all().backward();
    /// assert_eq!(r.grad().unwrap().shape(), &[6, 18]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit or the dtypes differ.
    #[track_caller]
    pub fn gru(&self, p: RnnParams<'_>, h0: Option<&Var>, mask: Option<&Tensor>, cfg: RnnConfig) -> RecurrentSequence {
        let args = Args {
            src: Source::Input { x: self, kernel: p.kernel },
            recurrent_kernel: p.recurrent_kernel,
            bias: p.bias,
            recurrent_bias: p.recurrent_bias,
            h0,
            c0: None,
            mask,
            cfg,
        };
        RecurrentSequence::unpack(gru::gru_op(args), self.shape()[1], false, cfg)
    }

    /// A whole simple (Elman) RNN over a sequence, as one op (Keras' `SimpleRNN`):
    /// `h_t = act(x_proj[:, t] + h_{t-1} R)` with `self = x_proj: [N, T, U]`, `R: [U, U]`, and
    /// `act = cfg.activation`.
    ///
    /// ```
    /// use kerosene_autograd::{RnnConfig, Var};
    /// use kerosene_tensor::Tensor;
    /// let x_proj = Var::param(Tensor::full(&[1, 2, 1], 0.5));
    /// let r = Var::param(Tensor::full(&[1, 1], 2.0));
    /// let seq = x_proj.simple_rnn_sequence(&r, None, None, RnnConfig::default());
    /// let h1 = 0.5f64.tanh();
    /// let h2 = (0.5 + 2.0 * h1).tanh();
    /// assert!((seq.last_h.item() - h2).abs() < 1e-6);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit or the dtypes differ.
    #[track_caller]
    pub fn simple_rnn_sequence(
        &self,
        recurrent_kernel: &Var,
        h0: Option<&Var>,
        mask: Option<&Tensor>,
        cfg: RnnConfig,
    ) -> RecurrentSequence {
        let args = Args {
            src: Source::Projected(self),
            recurrent_kernel,
            bias: None,
            recurrent_bias: None,
            h0,
            c0: None,
            mask,
            cfg,
        };
        RecurrentSequence::unpack(simple_rnn::simple_rnn_op(args), self.shape()[1], false, cfg)
    }

    /// A whole simple RNN over `self = x: [N, T, F]` as one op, projecting the input itself:
    /// `h_t = act(x_t K + h_{t-1} R + b)`.
    ///
    /// ```
    /// use kerosene_autograd::{RnnConfig, RnnParams, Var};
    /// use kerosene_tensor::{Rng, Tensor};
    /// let mut rng = Rng::new(0);
    /// let x = Var::new(Tensor::randn(&[8, 5, 3], &mut rng));
    /// let k = Var::param(Tensor::randn(&[3, 6], &mut rng));
    /// let r = Var::param(Tensor::randn(&[6, 6], &mut rng));
    /// let seq = x.simple_rnn(RnnParams::new(&k, &r), None, None, RnnConfig::default());
    /// assert_eq!(seq.last_h.shape(), &[8, 6]);
    /// seq.last_h.sum_all().backward();
    /// assert_eq!(k.grad().unwrap().shape(), &[3, 6]);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not fit or the dtypes differ.
    #[track_caller]
    pub fn simple_rnn(
        &self,
        p: RnnParams<'_>,
        h0: Option<&Var>,
        mask: Option<&Tensor>,
        cfg: RnnConfig,
    ) -> RecurrentSequence {
        let args = Args {
            src: Source::Input { x: self, kernel: p.kernel },
            recurrent_kernel: p.recurrent_kernel,
            bias: p.bias,
            recurrent_bias: p.recurrent_bias,
            h0,
            c0: None,
            mask,
            cfg,
        };
        RecurrentSequence::unpack(simple_rnn::simple_rnn_op(args), self.shape()[1], false, cfg)
    }
}

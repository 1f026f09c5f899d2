//! Recurrent layers, batch-first (`[batch, time, features]`): [`LSTM`], [`GRU`], [`SimpleRNN`]
//! over whole sequences, and their single-step cells [`LSTMCell`], [`GRUCell`],
//! [`SimpleRNNCell`] for decoding loops.
//!
//! A layer runs as ONE fused autograd op ([`Var::lstm`], [`Var::gru`], [`Var::simple_rnn`]):
//! the inputs of every step projected by one matrix product (`[N T, F] x [F, G U]`), then one
//! `[N, U] x [U, G U]` product and one pass over the gates per step, and a hand-written
//! backward through time. Weights follow
//! Keras' layout and gate order, so Keras weights load as they are.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use kerosene_autograd::{FusedActivation, RecurrentSequence, RnnConfig, RnnParams, Var};
use kerosene_tensor::{Rng, Tensor};

use crate::activation::Activation;
use crate::error::{NnError, Result};
use crate::init::Initializer;
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

static NEXT_SEED: AtomicU64 = AtomicU64::new(0x7e55_0000);

/// The result of running a recurrent layer with [`LSTM::call`] (and the other layers' `call`).
#[derive(Debug, Clone)]
pub struct RecurrentOutput {
    /// `[N, T, U]` with `return_sequences`, else the last output `[N, U]`.
    pub output: Var,
    /// The final states (Keras' `return_state`): `[h, c]` for an LSTM, `[h]` for a GRU or a
    /// simple RNN, each `[N, U]`. Pass them as the initial state of another layer (a decoder).
    pub states: Vec<Var>,
}

/// A `[batch, time]` mask that is 1 where `ids` differs from `pad_id` and 0 at padding, for
/// the `mask` argument of the recurrent layers (what Keras derives from `Embedding(mask_zero=True)`).
///
/// ```
/// use kerosene_nn::padding_mask;
/// use kerosene_tensor::Tensor;
/// let ids = Tensor::from_vec(vec![5.0f32, 3.0, 0.0, 0.0], &[1, 4]);
/// assert_eq!(padding_mask(&ids, 0).to_vec::<f32>(), vec![1.0, 1.0, 0.0, 0.0]);
/// ```
pub fn padding_mask(ids: &Tensor, pad_id: usize) -> Tensor {
    ids.ne_elem(&Tensor::scalar_dtype(pad_id as f64, ids.dtype()))
}

/// The configuration of a recurrent layer, as saved in a [`LayerSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecurrentSpec {
    /// The state size.
    pub units: usize,
    /// Candidate / output activation.
    pub activation: Activation,
    /// Gate activation (unused by `SimpleRNN`).
    pub recurrent_activation: Activation,
    /// Biases on or off.
    pub use_bias: bool,
    /// Input kernel initializer.
    pub kernel_initializer: Initializer,
    /// Recurrent kernel initializer.
    pub recurrent_initializer: Initializer,
    /// Bias initializer.
    pub bias_initializer: Initializer,
    /// LSTM: forget-gate bias starts at 1.
    pub unit_forget_bias: bool,
    /// Output every step (`[N, T, U]`) or the last (`[N, U]`).
    pub return_sequences: bool,
    /// Also hand out the final states (see [`RecurrentOutput`]).
    pub return_state: bool,
}

/// The weights of a built recurrent layer or cell (Keras layout, `G` = 4 for the LSTM, 3 for
/// the GRU, 1 for the simple RNN).
pub struct RnnWeights {
    /// `[F, G U]`, gates side by side (`i f c o` for the LSTM, `z r h` for the GRU).
    pub kernel: Var,
    /// `[U, G U]`.
    pub recurrent_kernel: Var,
    /// `[G U]` (LSTM, simple RNN) or `[2, 3U]` for the GRU (input bias, then recurrent bias), if
    /// `use_bias`.
    pub bias: Option<Var>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellKind {
    SimpleRnn,
    Lstm,
    Gru,
}

impl CellKind {
    fn gates(self) -> usize {
        match self {
            CellKind::SimpleRnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }
    fn num_states(self) -> usize {
        if self == CellKind::Lstm { 2 } else { 1 }
    }
    fn layer_kind(self) -> &'static str {
        match self {
            CellKind::SimpleRnn => "SimpleRNN",
            CellKind::Lstm => "LSTM",
            CellKind::Gru => "GRU",
        }
    }
    fn cell_kind(self) -> &'static str {
        match self {
            CellKind::SimpleRnn => "SimpleRNNCell",
            CellKind::Lstm => "LSTMCell",
            CellKind::Gru => "GRUCell",
        }
    }
}

/// The configuration and (lazily built) weights shared by a layer and its cell form.
pub(crate) struct CellCore {
    kind: CellKind,
    units: usize,
    activation: Activation,
    recurrent_activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    recurrent_initializer: Initializer,
    bias_initializer: Initializer,
    unit_forget_bias: bool,
    seed: Option<u64>,
    weights: OnceLock<RnnWeights>,
}

#[track_caller]
fn fused(kind: &str, what: &str, a: Activation) -> FusedActivation {
    a.fused().unwrap_or_else(|| {
        panic!(
            "{kind}: {what} \"{}\" is not supported by the fused recurrent kernel; use tanh, sigmoid, relu or linear",
            a.name()
        )
    })
}

impl CellCore {
    #[track_caller]
    fn new(kind: CellKind, units: usize) -> CellCore {
        assert!(units > 0, "{}: units must be positive, got 0", kind.layer_kind());
        CellCore {
            kind,
            units,
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            recurrent_initializer: Initializer::Orthogonal { gain: 1.0 },
            bias_initializer: Initializer::Zeros,
            unit_forget_bias: kind == CellKind::Lstm,
            seed: None,
            weights: OnceLock::new(),
        }
    }

    fn from_spec(kind: CellKind, s: &RecurrentSpec) -> CellCore {
        let mut c = CellCore::new(kind, s.units);
        c.activation = s.activation;
        c.recurrent_activation = s.recurrent_activation;
        c.use_bias = s.use_bias;
        c.kernel_initializer = s.kernel_initializer;
        c.recurrent_initializer = s.recurrent_initializer;
        c.bias_initializer = s.bias_initializer;
        c.unit_forget_bias = s.unit_forget_bias;
        c
    }

    fn spec(&self, return_sequences: bool, return_state: bool) -> RecurrentSpec {
        RecurrentSpec {
            units: self.units,
            activation: self.activation,
            recurrent_activation: self.recurrent_activation,
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            recurrent_initializer: self.recurrent_initializer,
            bias_initializer: self.bias_initializer,
            unit_forget_bias: self.unit_forget_bias,
            return_sequences,
            return_state,
        }
    }

    /// An unbuilt copy with the same configuration; its seed (if any) is offset by `seed_offset`.
    fn fresh(&self, seed_offset: u64) -> CellCore {
        let mut c = CellCore::from_spec(self.kind, &self.spec(false, false));
        c.seed = self.seed.map(|s| s.wrapping_add(seed_offset));
        c
    }

    #[track_caller]
    fn set_activation(&mut self, a: Activation) {
        fused(self.kind.layer_kind(), "activation", a);
        self.activation = a;
    }

    #[track_caller]
    fn set_recurrent_activation(&mut self, a: Activation) {
        fused(self.kind.layer_kind(), "recurrent_activation", a);
        self.recurrent_activation = a;
    }

    fn config(&self, reverse: bool, return_sequences: bool) -> RnnConfig {
        RnnConfig {
            activation: fused(self.kind.layer_kind(), "activation", self.activation),
            recurrent_activation: fused(self.kind.layer_kind(), "recurrent_activation", self.recurrent_activation),
            reverse,
            return_sequences,
        }
    }

    fn make_weights(&self, fan_in: usize, rng: &mut Rng) -> RnnWeights {
        let (u, g) = (self.units, self.kind.gates());
        let kernel = Var::param(self.kernel_initializer.init(&[fan_in, g * u], rng));
        let recurrent_kernel = Var::param(self.recurrent_initializer.init(&[u, g * u], rng));
        let bias = self.use_bias.then(|| {
            let t = match self.kind {
                CellKind::Gru => self.bias_initializer.init(&[2, g * u], rng),
                _ => self.bias_initializer.init(&[g * u], rng),
            };
            if self.kind == CellKind::Lstm && self.unit_forget_bias {
                let mut v = t.to_vec::<f32>();
                v[u..2 * u].iter_mut().for_each(|b| *b = 1.0);
                Var::param(Tensor::from_vec(v, &[g * u]))
            } else {
                Var::param(t)
            }
        });
        RnnWeights { kernel, recurrent_kernel, bias }
    }

    /// Checks the feature count against built weights.
    fn check_features(&self, layer: &str, input_shape: &[usize]) -> Result<usize> {
        let f = *input_shape.last().expect("rank checked by the caller");
        if let Some(w) = self.weights.get() {
            let fan_in = w.kernel.shape()[0];
            if f != fan_in {
                return Err(NnError::InputShape {
                    layer: layer.to_string(),
                    message: format!(
                        "expected axis -1 of input shape to have value {fan_in}, but received input with shape {input_shape:?}"
                    ),
                });
            }
        }
        Ok(f)
    }

    fn build(&self, layer: &str, input_shape: &[usize], rng: &mut Rng) -> Result<()> {
        let f = self.check_features(layer, input_shape)?;
        if self.weights.get().is_none() {
            let _ = self.weights.set(self.make_weights(f, rng));
        }
        Ok(())
    }

    /// The weights, built from `input_shape`'s feature count (seeded) on first use.
    #[track_caller]
    fn weights_for(&self, layer: &str, input_shape: &[usize]) -> &RnnWeights {
        let w = self.weights.get_or_init(|| {
            let f = *input_shape.last().expect("rank checked by the caller");
            let seed = self.seed.unwrap_or_else(|| NEXT_SEED.fetch_add(1, Ordering::Relaxed));
            self.make_weights(f, &mut Rng::new(seed))
        });
        if let Err(e) = self.check_features(layer, input_shape) {
            panic!("{e}");
        }
        w
    }

    /// The whole sequence through the fused op (every step's output only if `return_sequences`).
    #[track_caller]
    fn run(
        &self,
        layer: &str,
        x: &Var,
        initial_state: Option<&[Var]>,
        mask: Option<&Tensor>,
        reverse: bool,
        return_sequences: bool,
    ) -> RecurrentSequence {
        if x.ndim() != 3 {
            panic!(
                "{}",
                NnError::InputShape {
                    layer: layer.to_string(),
                    message: format!("expects inputs [batch, time, features], got shape {:?}", x.shape()),
                }
            );
        }
        let w = self.weights_for(layer, x.shape());
        if let Some(s) = initial_state
            && s.len() != self.kind.num_states()
        {
            panic!(
                "layer \"{layer}\" ({}) takes {} initial state tensor(s) ([h{}], each [batch, {}]), got {}",
                self.kind.layer_kind(),
                self.kind.num_states(),
                if self.kind == CellKind::Lstm { ", c" } else { "" },
                self.units,
                s.len()
            );
        }
        let h0 = initial_state.map(|s| &s[0]);
        let cfg = self.config(reverse, return_sequences);
        let params = RnnParams::new(&w.kernel, &w.recurrent_kernel);
        match self.kind {
            CellKind::Lstm => x.lstm(params.bias(w.bias.as_ref()), h0, initial_state.map(|s| &s[1]), mask, cfg),
            CellKind::Gru => {
                let (bi, br) = match &w.bias {
                    Some(b) => (Some(b.select(0, 0)), Some(b.select(0, 1))),
                    None => (None, None),
                };
                x.gru(params.bias(bi.as_ref()).recurrent_bias(br.as_ref()), h0, mask, cfg)
            }
            CellKind::SimpleRnn => x.simple_rnn(params.bias(w.bias.as_ref()), h0, mask, cfg),
        }
    }

    /// One step: `x_t: [N, F]` and the states give the next states.
    #[track_caller]
    fn step(&self, layer: &str, x: &Var, states: &[Var]) -> Vec<Var> {
        if x.ndim() != 2 {
            panic!(
                "{}",
                NnError::InputShape {
                    layer: layer.to_string(),
                    message: format!("steps on inputs [batch, features], got shape {:?}", x.shape()),
                }
            );
        }
        let init = (!states.is_empty()).then_some(states);
        self.run(layer, &x.unsqueeze(1), init, None, false, false).states()
    }

    fn zero_states(&self, batch: usize) -> Vec<Var> {
        let dtype = self.weights.get().map_or(kerosene_tensor::DType::F32, |w| w.kernel.dtype());
        (0..self.kind.num_states()).map(|_| Var::new(Tensor::zeros_dtype(&[batch, self.units], dtype))).collect()
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        if let Some(w) = self.weights.get() {
            v.param("kernel", &w.kernel);
            v.param("recurrent_kernel", &w.recurrent_kernel);
            if let Some(b) = &w.bias {
                v.param("bias", b);
            }
        }
    }

    fn num_params(&self, f: usize) -> usize {
        let (u, g) = (self.units, self.kind.gates());
        let b = if !self.use_bias {
            0
        } else if self.kind == CellKind::Gru {
            2 * g * u
        } else {
            g * u
        };
        f * g * u + u * g * u + b
    }
}

/// The sequence-level part shared by the three layers.
pub(crate) struct RnnLayer {
    core: CellCore,
    return_sequences: bool,
    return_state: bool,
    input_shape: Option<Vec<usize>>,
    name: String,
}

impl RnnLayer {
    fn new(kind: CellKind, units: usize) -> RnnLayer {
        RnnLayer {
            core: CellCore::new(kind, units),
            return_sequences: false,
            return_state: false,
            input_shape: None,
            name: crate::layer::snake_case(kind.layer_kind()),
        }
    }

    fn from_spec(kind: CellKind, s: &RecurrentSpec) -> RnnLayer {
        let mut l = RnnLayer::new(kind, s.units);
        l.core = CellCore::from_spec(kind, s);
        l.return_sequences = s.return_sequences;
        l.return_state = s.return_state;
        l
    }

    fn fresh(&self) -> RnnLayer {
        RnnLayer {
            core: self.core.fresh(1),
            return_sequences: self.return_sequences,
            return_state: self.return_state,
            input_shape: self.input_shape.clone(),
            name: self.name.clone(),
        }
    }

    #[track_caller]
    fn call(&self, x: &Var, initial_state: Option<&[Var]>, mask: Option<&Tensor>, reverse: bool) -> RecurrentOutput {
        let seq = self.core.run(&self.name, x, initial_state, mask, reverse, self.return_sequences);
        let states = seq.states();
        let output = match seq.outputs {
            Some(all) => all,
            None => seq.last_h,
        };
        RecurrentOutput { output, states }
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 2, false)?;
        self.core.check_features(&self.name, input_shape)?;
        Ok(if self.return_sequences { vec![input_shape[0], self.core.units] } else { vec![self.core.units] })
    }

    fn build(&self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 2, false)?;
        self.core.build(&self.name, input_shape, rng)?;
        self.output_shape(input_shape)
    }
}

/// A layer that runs a recurrence over `[batch, time, features]` sequences: what
/// [`Bidirectional`](crate::Bidirectional) and [`Seq2Seq`](crate::Seq2Seq) need from
/// [`LSTM`], [`GRU`] and [`SimpleRNN`].
pub trait RecurrentLayer: Layer {
    /// The state size `U`.
    fn state_units(&self) -> usize;
    /// How many state tensors the recurrence carries (2 for the LSTM, 1 otherwise).
    fn num_states(&self) -> usize;
    /// True if the output is every step's (`[N, T, U]`), false for the last one (`[N, U]`).
    fn returns_sequences(&self) -> bool;
    /// Runs the layer, optionally from `initial_state`, with an optional `[N, T]` `mask`, in
    /// reverse if asked (outputs stay aligned with the input steps).
    fn run(&self, x: &Var, initial_state: Option<&[Var]>, mask: Option<&Tensor>, reverse: bool) -> RecurrentOutput;
    /// An unbuilt layer with the same configuration (its seed, if set, plus one).
    fn fresh_copy(&self) -> Box<dyn RecurrentLayer>;
}

/// Access to the shared configuration and weights (for the builder macros).
trait HasCore {
    fn core(&self) -> &CellCore;
    fn core_mut(&mut self) -> &mut CellCore;
}

/// The builders and accessors every recurrent layer and cell shares.
macro_rules! common_builders {
    ($ty:ident) => {
        impl $ty {
            /// Sets the candidate / output activation (default `tanh`): tanh, sigmoid, relu or linear.
            ///
            /// # Panics
            /// On another activation (the fused kernel takes their derivative from their output).
            #[track_caller]
            pub fn activation(mut self, a: Activation) -> $ty {
                self.core_mut().set_activation(a);
                self
            }
            /// With or without biases (default with).
            pub fn use_bias(mut self, on: bool) -> $ty {
                self.core_mut().use_bias = on;
                self
            }
            /// Sets the input kernel's initializer (default glorot uniform).
            pub fn kernel_initializer(mut self, i: Initializer) -> $ty {
                self.core_mut().kernel_initializer = i;
                self
            }
            /// Sets the recurrent kernel's initializer (default orthogonal).
            pub fn recurrent_initializer(mut self, i: Initializer) -> $ty {
                self.core_mut().recurrent_initializer = i;
                self
            }
            /// Sets the bias initializer (default zeros).
            pub fn bias_initializer(mut self, i: Initializer) -> $ty {
                self.core_mut().bias_initializer = i;
                self
            }
            /// Seeds the initialization used when the weights are built at the first call.
            pub fn seed(mut self, seed: u64) -> $ty {
                self.core_mut().seed = Some(seed);
                self
            }
            /// The state size.
            pub fn units(&self) -> usize {
                self.core().units
            }
            /// The weights, once built.
            pub fn weights(&self) -> Option<&RnnWeights> {
                self.core().weights.get()
            }
        }
    };
}

/// The gate activation builder of the gated layers and cells.
macro_rules! gated_builders {
    ($ty:ident) => {
        impl $ty {
            /// Sets the gate activation (default `sigmoid`): tanh, sigmoid, relu or linear.
            ///
            /// # Panics
            /// On another activation.
            #[track_caller]
            pub fn recurrent_activation(mut self, a: Activation) -> $ty {
                self.core_mut().set_recurrent_activation(a);
                self
            }
        }
    };
}

/// The LSTM-only builder.
macro_rules! forget_bias_builder {
    ($ty:ident) => {
        impl $ty {
            /// Starts the forget gate's bias at 1 (default on, Keras' `unit_forget_bias`), so that
            /// the cell remembers by default early in training.
            pub fn unit_forget_bias(mut self, on: bool) -> $ty {
                self.core_mut().unit_forget_bias = on;
                self
            }
        }
    };
}

/// The sequence layers: builders, the richer `call`, and Module / Layer / RecurrentLayer.
macro_rules! sequence_layer {
    ($ty:ident, $kind:expr, $variant:ident) => {
        common_builders!($ty);

        impl HasCore for $ty {
            fn core(&self) -> &CellCore {
                &self.0.core
            }
            fn core_mut(&mut self) -> &mut CellCore {
                &mut self.0.core
            }
        }

        impl $ty {
            /// A layer with `units` state size, Keras' defaults, returning the last output.
            ///
            /// # Panics
            /// If `units` is 0.
            #[track_caller]
            pub fn new(units: usize) -> $ty {
                $ty(RnnLayer::new($kind, units))
            }
            /// Output every step's state `[N, T, U]` (`true`) or only the last `[N, U]` (default).
            pub fn return_sequences(mut self, on: bool) -> $ty {
                self.0.return_sequences = on;
                self
            }
            /// Recorded in the spec, as Keras' `return_state`: the final states come from
            /// [`call`](Self::call) (`RecurrentOutput::states`), since `forward` returns one tensor.
            pub fn return_state(mut self, on: bool) -> $ty {
                self.0.return_state = on;
                self
            }
            /// Declares the per-sample input shape `[time, features]` (Keras `input_shape=`).
            pub fn input_shape(mut self, shape: &[usize]) -> $ty {
                self.0.input_shape = Some(shape.to_vec());
                self
            }
            /// Sets the name.
            pub fn name(mut self, name: &str) -> $ty {
                self.0.name = name.to_string();
                self
            }
            /// True if the output is every step's.
            pub fn get_return_sequences(&self) -> bool {
                self.0.return_sequences
            }
            /// Runs the layer on `x: [N, T, F]` from `initial_state` (zeros if `None`), skipping
            /// masked steps (`mask: [N, T]`, 0 = padding: the state is carried over), and
            /// returns the output and the final states.
            ///
            /// # Panics
            /// If `x` is not `[N, T, F]` with the built feature count, or the states or mask
            /// do not fit (the message names the layer and the shapes).
            #[track_caller]
            pub fn call(&self, x: &Var, initial_state: Option<&[Var]>, mask: Option<&Tensor>) -> RecurrentOutput {
                self.0.call(x, initial_state, mask, false)
            }
            /// [`call`](Self::call) from an initial state (e.g. an encoder's final states).
            #[track_caller]
            pub fn forward_with_state(&self, x: &Var, initial_state: &[Var]) -> RecurrentOutput {
                self.0.call(x, Some(initial_state), None, false)
            }
            /// `forward` skipping masked steps (`mask: [N, T]`, 0 = padding).
            #[track_caller]
            pub fn forward_masked(&self, x: &Var, mask: &Tensor) -> Var {
                self.0.call(x, None, Some(mask), false).output
            }
            /// One step with this layer's weights: `x_t: [N, F]` and the states (`[]` for zeros)
            /// give the next states (`states[0]` is the output `h`). For decoding loops.
            #[track_caller]
            pub fn step(&self, x_t: &Var, states: &[Var]) -> Vec<Var> {
                self.0.core.step(&self.0.name, x_t, states)
            }
            /// Zero states for a batch.
            pub fn zero_states(&self, batch: usize) -> Vec<Var> {
                self.0.core.zero_states(batch)
            }
        }

        impl Module for $ty {
            fn forward(&self, x: &Var) -> Var {
                self.0.call(x, None, None, false).output
            }
            fn visit(&self, v: &mut Visitor<'_>) {
                self.0.core.visit(v)
            }
        }

        impl Layer for $ty {
            fn name(&self) -> &str {
                &self.0.name
            }
            fn set_name(&mut self, name: &str) {
                self.0.name = name.to_string();
            }
            fn kind(&self) -> &'static str {
                $kind.layer_kind()
            }
            fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
                self.0.build(input_shape, rng)
            }
            fn is_built(&self) -> bool {
                self.0.core.weights.get().is_some()
            }
            fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
                self.0.output_shape(input_shape)
            }
            fn declared_input_shape(&self) -> Option<Vec<usize>> {
                self.0.input_shape.clone()
            }
            fn spec(&self) -> Option<LayerSpec> {
                Some(LayerSpec::$variant(self.0.core.spec(self.0.return_sequences, self.0.return_state)))
            }
        }

        impl RecurrentLayer for $ty {
            fn state_units(&self) -> usize {
                self.0.core.units
            }
            fn num_states(&self) -> usize {
                $kind.num_states()
            }
            fn returns_sequences(&self) -> bool {
                self.0.return_sequences
            }
            fn run(
                &self,
                x: &Var,
                initial_state: Option<&[Var]>,
                mask: Option<&Tensor>,
                reverse: bool,
            ) -> RecurrentOutput {
                self.0.call(x, initial_state, mask, reverse)
            }
            fn fresh_copy(&self) -> Box<dyn RecurrentLayer> {
                Box::new($ty(self.0.fresh()))
            }
        }

        impl $ty {
            /// The layer described by a spec (unbuilt).
            pub fn from_spec(spec: &RecurrentSpec) -> $ty {
                $ty(RnnLayer::from_spec($kind, spec))
            }
        }
    };
}

/// The single-step cells: builders, `step`, Module.
macro_rules! cell_type {
    ($ty:ident, $kind:expr) => {
        common_builders!($ty);

        impl HasCore for $ty {
            fn core(&self) -> &CellCore {
                &self.core
            }
            fn core_mut(&mut self) -> &mut CellCore {
                &mut self.core
            }
        }

        impl $ty {
            /// A cell with `units` state size and Keras' defaults.
            ///
            /// # Panics
            /// If `units` is 0.
            #[track_caller]
            pub fn new(units: usize) -> $ty {
                $ty { core: CellCore::new($kind, units) }
            }
            /// One step: `x_t: [N, F]` and the states (`[h, c]` for the LSTM, `[h]` otherwise;
            /// `[]` for zeros) give the next states; `states[0]` is the output `h`. The weights
            /// are built (seeded) at the first step.
            ///
            /// # Panics
            /// If `x_t` is not `[N, F]` with the built feature count or the states do not fit.
            #[track_caller]
            pub fn step(&self, x_t: &Var, states: &[Var]) -> Vec<Var> {
                self.core.step($kind.cell_kind(), x_t, states)
            }
            /// Creates the weights for `input_dim` features (does nothing if already built
            /// with that size).
            ///
            /// # Errors
            /// If already built with another input size.
            pub fn build(&self, input_dim: usize, rng: &mut Rng) -> Result<()> {
                self.core.build($kind.cell_kind(), &[input_dim], rng)
            }
            /// Zero states for a batch.
            pub fn zero_states(&self, batch: usize) -> Vec<Var> {
                self.core.zero_states(batch)
            }
            /// The number of parameters for `input_dim` features.
            pub fn count_params(&self, input_dim: usize) -> usize {
                self.core.num_params(input_dim)
            }
        }

        impl Module for $ty {
            /// One step from zero states: the new `h`.
            fn forward(&self, x: &Var) -> Var {
                self.step(x, &[]).swap_remove(0)
            }
            fn visit(&self, v: &mut Visitor<'_>) {
                self.core.visit(v)
            }
        }
    };
}

/// Keras' `LSTM`: a long short-term memory layer over `[batch, time, features]` sequences.
///
/// Per step, with `z = x_t K + h_{t-1} R + b` split into the gates `i, f, c, o`:
///
/// ```text
/// i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
/// c_t = f ⊙ c_{t-1} + i ⊙ g
/// h_t = o ⊙ tanh(c_t)
/// ```
///
/// (`σ` is `recurrent_activation`, `tanh` is `activation`). The output is `h_t` of every step
/// (`return_sequences`) or of the last. Masked steps ([`LSTM::call`] with a `[N, T]` mask,
/// e.g. from [`padding_mask`]) carry `h` and `c` over unchanged, as Keras does with
/// `mask_zero`. `LSTM::new(u)` fused over all steps is one autograd op.
///
/// # Shapes
/// - input `[N, T, F]` (the feature count is fixed at build), output `[N, T, U]` with
///   `return_sequences`, else `[N, U]`; states `h`, `c`: `[N, U]`
/// - `kernel: [F, 4U]`, `recurrent_kernel: [U, 4U]`, `bias: [4U]` (Keras layout, gates `i f c o`)
///
/// # Parameters
/// `4U (F + U + 1)`. Kernel glorot uniform, recurrent kernel orthogonal, bias zeros except the
/// forget gate's, which starts at 1 (`unit_forget_bias`).
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{LSTM, Module};
/// use kerosene_tensor::Tensor;
/// let lstm = LSTM::new(16).seed(1);
/// let x = Var::new(Tensor::ones(&[8, 5, 3])); // 8 sequences of 5 steps of 3 features
/// assert_eq!(lstm.forward(&x).shape(), &[8, 16]);
/// assert_eq!(lstm.num_parameters(), 4 * 16 * (3 + 16 + 1));
///
/// let seq = LSTM::new(16).return_sequences(true).seed(2);
/// let out = seq.call(&x, None, None);
/// assert_eq!(out.output.shape(), &[8, 5, 16]);
/// assert_eq!(out.states.len(), 2); // h and c, each [8, 16]
/// ```
pub struct LSTM(RnnLayer);
sequence_layer!(LSTM, CellKind::Lstm, LSTM);
gated_builders!(LSTM);
forget_bias_builder!(LSTM);

/// Keras' `GRU` (with its default `reset_after=True`, which PyTorch's `nn.GRU` also computes).
///
/// Per step, with `x_t K + b_in` split into `x_z, x_r, x_h` and `h_{t-1} R + b_rec` into
/// `a_z, a_r, a_h`:
///
/// ```text
/// z = σ(x_z + a_z)   r = σ(x_r + a_r)   ĥ = tanh(x_h + r ⊙ a_h)
/// h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ
/// ```
///
/// Masked steps carry `h` over (Keras `mask_zero`).
///
/// # Shapes
/// - input `[N, T, F]`, output `[N, T, U]` with `return_sequences`, else `[N, U]`; state `h: [N, U]`
/// - `kernel: [F, 3U]`, `recurrent_kernel: [U, 3U]`, `bias: [2, 3U]` (input bias, then
///   recurrent bias; Keras layout, gates `z r h`)
///
/// # Parameters
/// `3U (F + U + 2)`. Kernel glorot uniform, recurrent kernel orthogonal, biases zeros.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{GRU, Module};
/// use kerosene_tensor::Tensor;
/// let gru = GRU::new(8).return_sequences(true).seed(1);
/// let y = gru.forward(&Var::new(Tensor::ones(&[4, 6, 3])));
/// assert_eq!(y.shape(), &[4, 6, 8]);
/// assert_eq!(gru.num_parameters(), 3 * 8 * (3 + 8 + 2));
/// ```
pub struct GRU(RnnLayer);
sequence_layer!(GRU, CellKind::Gru, GRU);
gated_builders!(GRU);

/// Keras' `SimpleRNN`: a fully connected (Elman) recurrence.
///
/// ```text
/// h_t = tanh(x_t K + h_{t-1} R + b)
/// ```
///
/// (`tanh` is `activation`). Masked steps carry `h` over.
///
/// # Shapes
/// - input `[N, T, F]`, output `[N, T, U]` with `return_sequences`, else `[N, U]`; state `h: [N, U]`
/// - `kernel: [F, U]`, `recurrent_kernel: [U, U]`, `bias: [U]`
///
/// # Parameters
/// `U (F + U + 1)`. Kernel glorot uniform, recurrent kernel orthogonal, bias zeros.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Module, SimpleRNN};
/// use kerosene_tensor::Tensor;
/// let rnn = SimpleRNN::new(4).seed(3);
/// assert_eq!(rnn.forward(&Var::new(Tensor::ones(&[2, 7, 5]))).shape(), &[2, 4]);
/// assert_eq!(rnn.num_parameters(), 4 * (5 + 4 + 1));
/// ```
pub struct SimpleRNN(RnnLayer);
sequence_layer!(SimpleRNN, CellKind::SimpleRnn, SimpleRNN);

/// Keras' `LSTMCell`: one LSTM step, for loops that feed each output back (greedy decoding).
///
/// `step(x_t, [h, c]) -> [h', c']` with the formulas of [`LSTM`] (computed by the same fused
/// op over one step). Weights as [`LSTM`]'s and built at the first step.
///
/// # Shapes
/// - `x_t: [N, F]`, `h`, `c`: `[N, U]`
/// - `kernel: [F, 4U]`, `recurrent_kernel: [U, 4U]`, `bias: [4U]`
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::LSTMCell;
/// use kerosene_tensor::Tensor;
/// let cell = LSTMCell::new(6).seed(0);
/// let mut state = cell.step(&Var::new(Tensor::ones(&[2, 3])), &[]); // from zeros
/// for _ in 0..4 {
///     state = cell.step(&Var::new(Tensor::ones(&[2, 3])), &state);
/// }
/// assert_eq!((state.len(), state[0].shape()), (2, &[2usize, 6][..]));
/// ```
pub struct LSTMCell {
    core: CellCore,
}
cell_type!(LSTMCell, CellKind::Lstm);
gated_builders!(LSTMCell);
forget_bias_builder!(LSTMCell);

/// Keras' `GRUCell`: one GRU step (`reset_after=True`), `step(x_t, [h]) -> [h']`, with the
/// formulas, weights and shapes of [`GRU`].
///
/// # Shapes
/// - `x_t: [N, F]`, `h: [N, U]`
/// - `kernel: [F, 3U]`, `recurrent_kernel: [U, 3U]`, `bias: [2, 3U]`
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::GRUCell;
/// use kerosene_tensor::Tensor;
/// let cell = GRUCell::new(5).seed(0);
/// let h = cell.step(&Var::new(Tensor::ones(&[3, 2])), &[]);
/// assert_eq!(h[0].shape(), &[3, 5]);
/// ```
pub struct GRUCell {
    core: CellCore,
}
cell_type!(GRUCell, CellKind::Gru);
gated_builders!(GRUCell);

/// Keras' `SimpleRNNCell`: `step(x_t, [h]) -> [tanh(x_t K + h R + b)]`.
///
/// # Shapes
/// - `x_t: [N, F]`, `h: [N, U]`
/// - `kernel: [F, U]`, `recurrent_kernel: [U, U]`, `bias: [U]`
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::SimpleRNNCell;
/// use kerosene_tensor::Tensor;
/// let cell = SimpleRNNCell::new(4).seed(0);
/// let h = cell.step(&Var::new(Tensor::ones(&[2, 3])), &[]);
/// assert_eq!(h[0].shape(), &[2, 4]);
/// ```
pub struct SimpleRNNCell {
    core: CellCore,
}
cell_type!(SimpleRNNCell, CellKind::SimpleRnn);

/// The recurrent layer a spec describes, if it is one (for [`Bidirectional`](crate::Bidirectional)).
pub(crate) fn recurrent_from_spec(spec: &LayerSpec) -> Option<Box<dyn RecurrentLayer>> {
    match spec {
        LayerSpec::LSTM(s) => Some(Box::new(LSTM::from_spec(s))),
        LayerSpec::GRU(s) => Some(Box::new(GRU::from_spec(s))),
        LayerSpec::SimpleRNN(s) => Some(Box::new(SimpleRNN::from_spec(s))),
        _ => None,
    }
}

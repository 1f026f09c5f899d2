//! [`Bidirectional`]: a recurrent layer run forward and backward over the sequence, merged.

use serde::{Deserialize, Serialize};

use kerosene_autograd::Var;
use kerosene_tensor::{Rng, Tensor};

use crate::error::{NnError, Result};
use crate::layer::Layer;
use crate::layers::recurrent::{RecurrentLayer, RecurrentOutput, recurrent_from_spec};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// How [`Bidirectional`] combines the two directions (Keras' `merge_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MergeMode {
    /// `[forward, backward]` along the feature axis (`2U` features), Keras' default.
    #[default]
    Concat,
    /// `forward + backward`.
    Sum,
    /// `forward ⊙ backward`.
    Mul,
    /// `(forward + backward) / 2`.
    Ave,
}

/// Keras' `Bidirectional`: the wrapped recurrent layer reads the sequence from first to last
/// step, an independent copy of it (same configuration, its own weights) reads from last to
/// first, and the two outputs are merged (concatenated by default).
///
/// ```text
/// y = merge(forward(x), backward(x))
/// ```
///
/// With `return_sequences`, the backward outputs are aligned with the input steps (step `t`
/// holds the backward state after reading steps `T-1 .. t`); without, the backward output is
/// its state after reading step 0. A `[N, T]` mask applies to both directions.
///
/// # Shapes
/// - input `[N, T, F]`; output `[N, T, 2U]` (concat) or `[N, T, U]` with `return_sequences`,
///   else `[N, 2U]` / `[N, U]`
/// - the parameters of two copies of the wrapped layer (`forward.*` and `backward.*`)
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Bidirectional, LSTM, Module};
/// use kerosene_tensor::Tensor;
/// let bi = Bidirectional::new(LSTM::new(8).return_sequences(true).seed(1));
/// let y = bi.forward(&Var::new(Tensor::ones(&[2, 5, 3])));
/// assert_eq!(y.shape(), &[2, 5, 16]);
/// assert_eq!(bi.num_parameters(), 2 * 4 * 8 * (3 + 8 + 1));
/// ```
pub struct Bidirectional {
    forward: Box<dyn RecurrentLayer>,
    backward: Box<dyn RecurrentLayer>,
    merge_mode: MergeMode,
    input_shape: Option<Vec<usize>>,
    name: String,
}

impl Bidirectional {
    /// Wraps `layer` (an unbuilt [`LSTM`](crate::LSTM), [`GRU`](crate::GRU) or
    /// [`SimpleRNN`](crate::SimpleRNN)); the backward copy gets the layer's seed plus one.
    pub fn new(layer: impl RecurrentLayer + 'static) -> Bidirectional {
        Bidirectional::from_boxed(Box::new(layer))
    }

    /// [`Bidirectional::new`] for a boxed layer.
    pub fn from_boxed(layer: Box<dyn RecurrentLayer>) -> Bidirectional {
        let backward = layer.fresh_copy();
        let name = format!("bidirectional_{}", layer.name());
        Bidirectional { forward: layer, backward, merge_mode: MergeMode::Concat, input_shape: None, name }
    }

    /// Sets how the directions are combined.
    pub fn merge_mode(mut self, m: MergeMode) -> Bidirectional {
        self.merge_mode = m;
        self
    }

    /// Declares the per-sample input shape `[time, features]`.
    pub fn input_shape(mut self, shape: &[usize]) -> Bidirectional {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> Bidirectional {
        self.name = name.to_string();
        self
    }

    /// The forward-direction layer.
    pub fn forward_layer(&self) -> &dyn RecurrentLayer {
        self.forward.as_ref()
    }

    /// The backward-direction layer.
    pub fn backward_layer(&self) -> &dyn RecurrentLayer {
        self.backward.as_ref()
    }

    /// Runs both directions from optional initial states (the forward layer's states, then the
    /// backward layer's) with an optional `[N, T]` mask; the states returned are the forward
    /// final states followed by the backward ones.
    ///
    /// # Panics
    /// If the input, states or mask do not fit (the message names the layer and the shapes).
    #[track_caller]
    pub fn call(&self, x: &Var, initial_state: Option<&[Var]>, mask: Option<&Tensor>) -> RecurrentOutput {
        let k = self.forward.num_states();
        if let Some(s) = initial_state
            && s.len() != 2 * k
        {
            panic!(
                "layer \"{}\" (Bidirectional) takes {} initial state tensors (forward then backward), got {}",
                self.name,
                2 * k,
                s.len()
            );
        }
        let f = self.forward.run(x, initial_state.map(|s| &s[..k]), mask, false);
        let b = self.backward.run(x, initial_state.map(|s| &s[k..]), mask, true);
        let output = match self.merge_mode {
            MergeMode::Concat => Var::concat(&[&f.output, &b.output], -1),
            MergeMode::Sum => f.output.add(&b.output),
            MergeMode::Mul => f.output.mul(&b.output),
            MergeMode::Ave => f.output.add(&b.output).mul_scalar(0.5),
        };
        let mut states = f.states;
        states.extend(b.states);
        RecurrentOutput { output, states }
    }
}

impl Module for Bidirectional {
    fn forward(&self, x: &Var) -> Var {
        self.call(x, None, None).output
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        v.module("forward", self.forward.as_ref());
        v.module("backward", self.backward.as_ref());
    }
}

impl Layer for Bidirectional {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Bidirectional"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        self.forward.build(input_shape, rng).map_err(|e| self.wrap(e))?;
        self.backward.build(input_shape, rng).map_err(|e| self.wrap(e))?;
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        self.forward.is_built() && self.backward.is_built()
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let mut out = self.forward.output_shape(input_shape).map_err(|e| self.wrap(e))?;
        if self.merge_mode == MergeMode::Concat {
            *out.last_mut().expect("recurrent outputs have a feature axis") *= 2;
        }
        Ok(out)
    }
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone().or_else(|| self.forward.declared_input_shape())
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Bidirectional { layer: Box::new(self.forward.spec()?), merge_mode: self.merge_mode })
    }
}

impl Bidirectional {
    /// Names this wrapper in an error of a wrapped layer.
    fn wrap(&self, e: NnError) -> NnError {
        match e {
            NnError::InputShape { layer, message } => {
                NnError::InputShape { layer: format!("{} ({layer})", self.name), message }
            }
            other => other,
        }
    }

    /// The wrapper a spec describes.
    ///
    /// # Panics
    /// If the wrapped spec is not a recurrent layer.
    #[track_caller]
    pub(crate) fn from_spec(layer: &LayerSpec, merge_mode: MergeMode) -> Bidirectional {
        let inner = recurrent_from_spec(layer)
            .unwrap_or_else(|| panic!("Bidirectional: the wrapped layer must be recurrent, got {layer:?}"));
        Bidirectional::from_boxed(inner).merge_mode(merge_mode)
    }
}

//! [`TimeDistributed`] and [`RepeatVector`]: the glue layers of Keras' sequence models.

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::activation::Activation;
use crate::error::{NnError, Result};
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// Keras' `TimeDistributed`: applies a layer to every time step independently.
///
/// ```text
/// y[:, t] = layer(x[:, t])
/// ```
///
/// The steps are folded into the batch (`[N, T, ..] -> [N T, ..]`, a view when contiguous),
/// so the wrapped layer runs once over all of them. `TimeDistributed(Dense)` is the usual
/// output layer of a sequence model (a [`Dense`](crate::Dense) alone already takes `[N, T, F]`).
///
/// # Shapes
/// - input `[N, T, ..in]`, output `[N, T, ..out]` where the wrapped layer maps `[B, ..in]` to
///   `[B, ..out]`
/// - the wrapped layer's parameters (reported under their own names)
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Dense, Module, TimeDistributed};
/// use kerosene_tensor::Tensor;
/// let td = TimeDistributed::new(Dense::new(10).seed(0));
/// let y = td.forward(&Var::new(Tensor::ones(&[4, 7, 32])));
/// assert_eq!(y.shape(), &[4, 7, 10]);
/// assert_eq!(td.num_parameters(), 32 * 10 + 10);
/// ```
pub struct TimeDistributed {
    layer: Box<dyn Layer>,
    input_shape: Option<Vec<usize>>,
    name: String,
}

impl TimeDistributed {
    /// Wraps `layer`.
    pub fn new(layer: impl Layer + 'static) -> TimeDistributed {
        TimeDistributed::from_boxed(Box::new(layer))
    }

    /// Wraps a boxed layer.
    pub fn from_boxed(layer: Box<dyn Layer>) -> TimeDistributed {
        TimeDistributed { layer, input_shape: None, name: "time_distributed".into() }
    }

    /// Declares the per-sample input shape `[time, ..]`.
    pub fn input_shape(mut self, shape: &[usize]) -> TimeDistributed {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> TimeDistributed {
        self.name = name.to_string();
        self
    }

    /// The wrapped layer.
    pub fn layer(&self) -> &dyn Layer {
        self.layer.as_ref()
    }

    #[track_caller]
    fn apply(&self, x: &Var, f: impl Fn(&Var) -> Var) -> Var {
        if x.ndim() < 3 {
            panic!(
                "{}",
                NnError::InputShape {
                    layer: self.name.clone(),
                    message: format!("expects inputs [batch, time, ..] of rank at least 3, got shape {:?}", x.shape()),
                }
            );
        }
        let (n, t) = (x.shape()[0], x.shape()[1]);
        let mut folded = vec![n * t];
        folded.extend_from_slice(&x.shape()[2..]);
        let y = f(&x.reshape_to(&folded));
        let mut out = vec![n, t];
        out.extend_from_slice(&y.shape()[1..]);
        y.reshape_to(&out)
    }

    fn per_step(&self, input_shape: &[usize]) -> Result<()> {
        expect_rank(&self.name, input_shape, 2, true)
    }
}

impl Module for TimeDistributed {
    fn forward(&self, x: &Var) -> Var {
        self.apply(x, |v| self.layer.forward(v))
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        self.layer.visit(v)
    }
}

impl Layer for TimeDistributed {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "TimeDistributed"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        self.per_step(input_shape)?;
        let inner = self.layer.build(&input_shape[1..], rng)?;
        Ok([&input_shape[..1], &inner[..]].concat())
    }
    fn is_built(&self) -> bool {
        self.layer.is_built()
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        self.per_step(input_shape)?;
        let inner = self.layer.output_shape(&input_shape[1..])?;
        Ok([&input_shape[..1], &inner[..]].concat())
    }
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }
    fn output_activation(&self) -> Activation {
        self.layer.output_activation()
    }
    fn forward_logits(&self, x: &Var) -> Var {
        self.apply(x, |v| self.layer.forward_logits(v))
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::TimeDistributed { layer: Box::new(self.layer.spec()?) })
    }
}

/// Keras' `RepeatVector(n)`: repeats each sample's vector `n` times along a new time axis
/// (e.g. to feed an encoder's summary to every step of a decoder).
///
/// ```text
/// y[:, t, :] = x   for t in 0..n
/// ```
///
/// # Shapes
/// - input `[N, F]`, output `[N, n, F]`; no parameters (the gradient sums over the copies)
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Module, RepeatVector};
/// use kerosene_tensor::Tensor;
/// let y = RepeatVector::new(3).forward(&Var::new(Tensor::from_vec(vec![1.0f32, 2.0], &[1, 2])));
/// assert_eq!(y.shape(), &[1, 3, 2]);
/// assert_eq!(y.value().to_vec::<f32>(), vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
/// ```
pub struct RepeatVector {
    n: usize,
    name: String,
}

impl RepeatVector {
    /// Repeats `n` times.
    pub fn new(n: usize) -> RepeatVector {
        RepeatVector { n, name: "repeat_vector".into() }
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> RepeatVector {
        self.name = name.to_string();
        self
    }

    /// The number of repeats.
    pub fn repeats(&self) -> usize {
        self.n
    }
}

impl Module for RepeatVector {
    fn forward(&self, x: &Var) -> Var {
        if x.ndim() != 2 {
            panic!(
                "{}",
                NnError::InputShape {
                    layer: self.name.clone(),
                    message: format!("expects inputs [batch, features], got shape {:?}", x.shape()),
                }
            );
        }
        let (b, f) = (x.shape()[0], x.shape()[1]);
        x.unsqueeze(1).broadcast_to(&[b, self.n, f])
    }
    fn visit(&self, _: &mut Visitor<'_>) {}
}

impl Layer for RepeatVector {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "RepeatVector"
    }
    fn build(&mut self, input_shape: &[usize], _: &mut Rng) -> Result<Vec<usize>> {
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 1, false)?;
        Ok(vec![self.n, input_shape[0]])
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::RepeatVector { n: self.n })
    }
}

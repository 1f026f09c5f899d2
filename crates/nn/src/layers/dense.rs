//! [`Dense`]: Keras' fully connected layer, built lazily from the first input's shape.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use kerosene_autograd::{FusedActivation, Var};
use kerosene_tensor::Rng;

use crate::activation::Activation;
use crate::error::{NnError, Result};
use crate::init::Initializer;
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

static NEXT_SEED: AtomicU64 = AtomicU64::new(0x5eed);

/// The weights of a built [`Dense`] layer.
pub struct DenseWeights {
    /// `[in, units]` (Keras layout).
    pub kernel: Var,
    /// `[units]`, if `use_bias`.
    pub bias: Option<Var>,
}

/// `y = activation(x K + b)` (Keras `layers.Dense`).
///
/// # Shapes
/// - input `[.., in]` (the input size is inferred at build or at the first call), output `[.., units]`
/// - `kernel: [in, units]` (Keras layout), `bias: [units]`
///
/// # Parameters
/// The kernel from `kernel_initializer` (default glorot uniform), the bias from
/// `bias_initializer` (default zeros). ReLU, sigmoid, tanh and linear activations are fused
/// into the matrix product's epilogue.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Activation, Dense, Module};
/// use kerosene_tensor::Tensor;
/// let d = Dense::new(64).activation(Activation::Relu);
/// let y = d.forward(&Var::new(Tensor::ones(&[32, 784]))); // built here: kernel [784, 64]
/// assert_eq!(y.shape(), &[32, 64]);
/// assert_eq!(d.num_parameters(), 784 * 64 + 64);
/// ```
pub struct Dense {
    units: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    bias_initializer: Initializer,
    input_shape: Option<Vec<usize>>,
    seed: Option<u64>,
    name: String,
    weights: OnceLock<DenseWeights>,
}

impl Dense {
    /// A layer with `units` outputs, linear activation, bias, glorot-uniform kernel.
    ///
    /// # Panics
    /// If `units` is 0.
    #[track_caller]
    pub fn new(units: usize) -> Dense {
        assert!(units > 0, "Dense: units must be positive, got 0");
        Dense {
            units,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            bias_initializer: Initializer::Zeros,
            input_shape: None,
            seed: None,
            name: "dense".into(),
            weights: OnceLock::new(),
        }
    }

    /// Sets the activation.
    pub fn activation(mut self, a: Activation) -> Dense {
        self.activation = a;
        self
    }

    /// With or without bias.
    pub fn use_bias(mut self, b: bool) -> Dense {
        self.use_bias = b;
        self
    }

    /// Sets the kernel initializer.
    pub fn kernel_initializer(mut self, i: Initializer) -> Dense {
        self.kernel_initializer = i;
        self
    }

    /// Sets the bias initializer.
    pub fn bias_initializer(mut self, i: Initializer) -> Dense {
        self.bias_initializer = i;
        self
    }

    /// Declares the per-sample input shape (Keras `input_shape=`), for the first layer of a model.
    pub fn input_shape(mut self, shape: &[usize]) -> Dense {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Seeds the initialization when the layer builds itself at its first call.
    pub fn seed(mut self, seed: u64) -> Dense {
        self.seed = Some(seed);
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> Dense {
        self.name = name.to_string();
        self
    }

    /// The number of outputs.
    pub fn units(&self) -> usize {
        self.units
    }

    /// The weights, once built.
    pub fn weights(&self) -> Option<&DenseWeights> {
        self.weights.get()
    }

    fn make_weights(&self, fan_in: usize, rng: &mut Rng) -> DenseWeights {
        let kernel = Var::param(self.kernel_initializer.init(&[fan_in, self.units], rng));
        let bias = self.use_bias.then(|| Var::param(self.bias_initializer.init(&[self.units], rng)));
        DenseWeights { kernel, bias }
    }

    fn check_input(&self, input_shape: &[usize]) -> Result<usize> {
        expect_rank(&self.name, input_shape, 1, true)?;
        let last = *input_shape.last().expect("rank checked");
        if let Some(w) = self.weights.get() {
            let fan_in = w.kernel.shape()[0];
            if last != fan_in {
                return Err(NnError::InputShape {
                    layer: self.name.clone(),
                    message: format!(
                        "expected axis -1 of input shape to have value {fan_in}, but received input with shape {input_shape:?}"
                    ),
                });
            }
        }
        Ok(last)
    }

    fn pre_activation(&self, x: &Var, act: FusedActivation) -> Var {
        let per_sample = &x.shape()[1.min(x.ndim())..];
        let w = self.weights.get_or_init(|| {
            let fan_in = self.check_input(per_sample).unwrap_or_else(|e| panic!("{e}"));
            let seed = self.seed.unwrap_or_else(|| NEXT_SEED.fetch_add(1, Ordering::Relaxed));
            self.make_weights(fan_in, &mut Rng::new(seed))
        });
        if let Err(e) = self.check_input(per_sample) {
            panic!("{e}");
        }
        x.dense(&w.kernel, w.bias.as_ref(), act)
    }
}

impl Module for Dense {
    fn forward(&self, x: &Var) -> Var {
        match self.activation.fused() {
            Some(f) => self.pre_activation(x, f),
            None => self.activation.apply(&self.pre_activation(x, FusedActivation::Identity)),
        }
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        if let Some(w) = self.weights.get() {
            v.param("kernel", &w.kernel);
            if let Some(b) = &w.bias {
                v.param("bias", b);
            }
        }
    }
}

impl Layer for Dense {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Dense"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let fan_in = self.check_input(input_shape)?;
        if self.weights.get().is_none() {
            let w = self.make_weights(fan_in, rng);
            let _ = self.weights.set(w);
        }
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        self.weights.get().is_some()
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        self.check_input(input_shape)?;
        let mut out = input_shape.to_vec();
        *out.last_mut().expect("rank checked") = self.units;
        Ok(out)
    }
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }
    fn output_activation(&self) -> Activation {
        self.activation
    }
    fn forward_logits(&self, x: &Var) -> Var {
        self.pre_activation(x, FusedActivation::Identity)
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Dense {
            units: self.units,
            activation: self.activation,
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            bias_initializer: self.bias_initializer,
        })
    }
}

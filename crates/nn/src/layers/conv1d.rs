//! [`Conv1D`]: Keras' 1-D convolution on channels-last sequences, built lazily.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use kerosene_autograd::{FusedActivation, Var};
use kerosene_tensor::{Padding, Rng};

use crate::activation::Activation;
use crate::error::{NnError, Result};
use crate::init::Initializer;
use crate::layer::{Layer, expect_rank};
use crate::layers::conv2d::{ConvWeights, check_channels, spatial_out};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

static NEXT_SEED: AtomicU64 = AtomicU64::new(0xc0de_0001);

/// `y = activation(conv1d(x, K) + b)` on channels-last sequences (Keras `layers.Conv1D`).
///
/// ```text
/// y[n, i, o] = act(b[o] + Σ_{k, c} x[n, i·s + k·d - p, c] · K[k, c, o])
/// ```
///
/// computed as a 2-D convolution of height 1 (see `Var::conv1d`).
///
/// # Shapes
/// - input `[N, L, C]` (channels last; `C` inferred at build), output `[N, OL, filters]` with
///   `OL = ⌊(L - d·(K - 1) - 1) / s⌋ + 1` (`"valid"`) or `⌈L / s⌉` (`"same"`)
/// - `kernel: [K, C, filters]` (Keras layout), `bias: [filters]`
/// - Keras' `"causal"` padding is `Padding::Explicit(0, 0, d·(K - 1), 0)` (explicit padding is
///   `(0, 0, left, right)`). PyTorch's `[N, C, L]` converts with `x.permute(&[0, 2, 1])`.
///
/// # Parameters
/// The kernel from `kernel_initializer` (default glorot uniform, `fan_in = K·C`,
/// `fan_out = K·filters`), the bias from `bias_initializer` (default zeros).
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Conv1D, Module, Padding};
/// use kerosene_tensor::Tensor;
/// let conv = Conv1D::new(8, 5).padding(Padding::Same);
/// let y = conv.forward(&Var::new(Tensor::ones(&[4, 100, 3])));
/// assert_eq!(y.shape(), &[4, 100, 8]);
/// assert_eq!(conv.num_parameters(), 5 * 3 * 8 + 8);
/// ```
pub struct Conv1D {
    filters: usize,
    kernel_size: usize,
    strides: usize,
    padding: Padding,
    dilation_rate: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    bias_initializer: Initializer,
    input_shape: Option<Vec<usize>>,
    seed: Option<u64>,
    name: String,
    weights: OnceLock<ConvWeights>,
}

impl Conv1D {
    /// `filters` output channels with a kernel of `kernel_size` steps; stride 1, `"valid"`
    /// padding, linear activation, bias, glorot-uniform kernel.
    ///
    /// # Panics
    /// If `filters` or `kernel_size` is 0.
    #[track_caller]
    pub fn new(filters: usize, kernel_size: usize) -> Conv1D {
        assert!(filters > 0, "Conv1D: filters must be positive, got 0");
        assert!(kernel_size > 0, "Conv1D: kernel_size must be positive, got 0");
        Conv1D {
            filters,
            kernel_size,
            strides: 1,
            padding: Padding::Valid,
            dilation_rate: 1,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            bias_initializer: Initializer::Zeros,
            input_shape: None,
            seed: None,
            name: "conv1d".into(),
            weights: OnceLock::new(),
        }
    }

    /// Sets the stride.
    ///
    /// # Panics
    /// If it is 0.
    #[track_caller]
    pub fn strides(mut self, s: usize) -> Conv1D {
        assert!(s > 0, "Conv1D: strides must be positive, got 0");
        self.strides = s;
        self
    }

    /// Sets the padding; `Explicit` must be `(0, 0, left, right)`.
    ///
    /// # Panics
    /// If explicit padding pads the (absent) height.
    #[track_caller]
    pub fn padding(mut self, p: Padding) -> Conv1D {
        if let Padding::Explicit(t, b, _, _) = p {
            assert!((t, b) == (0, 0), "Conv1D: explicit padding is Explicit(0, 0, left, right), got {p:?}");
        }
        self.padding = p;
        self
    }

    /// Keras' `"causal"` padding: `dilation · (kernel_size - 1)` zeros on the left, so that
    /// output `i` only sees inputs `..= i`. Set the dilation first.
    pub fn causal(self) -> Conv1D {
        let left = self.dilation_rate * (self.kernel_size - 1);
        self.padding(Padding::Explicit(0, 0, left, 0))
    }

    /// Sets the dilation.
    ///
    /// # Panics
    /// If it is 0.
    #[track_caller]
    pub fn dilation_rate(mut self, d: usize) -> Conv1D {
        assert!(d > 0, "Conv1D: dilation_rate must be positive, got 0");
        self.dilation_rate = d;
        self
    }

    /// Sets the activation.
    pub fn activation(mut self, a: Activation) -> Conv1D {
        self.activation = a;
        self
    }

    /// With or without bias.
    pub fn use_bias(mut self, b: bool) -> Conv1D {
        self.use_bias = b;
        self
    }

    /// Sets the kernel initializer.
    pub fn kernel_initializer(mut self, i: Initializer) -> Conv1D {
        self.kernel_initializer = i;
        self
    }

    /// Sets the bias initializer.
    pub fn bias_initializer(mut self, i: Initializer) -> Conv1D {
        self.bias_initializer = i;
        self
    }

    /// Declares the per-sample input shape `[L, C]` (Keras `input_shape=`).
    pub fn input_shape(mut self, shape: &[usize]) -> Conv1D {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Seeds the initialization when the layer builds itself at its first call.
    pub fn seed(mut self, seed: u64) -> Conv1D {
        self.seed = Some(seed);
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> Conv1D {
        self.name = name.to_string();
        self
    }

    /// The number of output channels.
    pub fn filters(&self) -> usize {
        self.filters
    }

    /// The weights, once built.
    pub fn weights(&self) -> Option<&ConvWeights> {
        self.weights.get()
    }

    fn make_weights(&self, c_in: usize, rng: &mut Rng) -> ConvWeights {
        let kernel = Var::param(self.kernel_initializer.init(&[self.kernel_size, c_in, self.filters], rng));
        let bias = self.use_bias.then(|| Var::param(self.bias_initializer.init(&[self.filters], rng)));
        ConvWeights { kernel, bias }
    }

    /// Validates a per-sample `[L, C]` shape; returns `(C, OL)`.
    fn check_input(&self, input_shape: &[usize]) -> Result<(usize, usize)> {
        expect_rank(&self.name, input_shape, 2, false)?;
        check_channels(&self.name, input_shape, self.weights.get().map(|w| w.kernel.shape()[1]))?;
        let (l, c) = (input_shape[0], input_shape[1]);
        let (_, ol) = spatial_out(
            &self.name,
            "kernel",
            &[1, l, c],
            (1, self.kernel_size),
            (1, self.strides),
            (1, self.dilation_rate),
            self.padding,
        )
        .map_err(|_| NnError::InputShape {
            layer: self.name.clone(),
            message: format!(
                "cannot apply a kernel of size {} (dilation {}, {:?} padding) to input shape {input_shape:?}: \
                 the kernel is longer than the (padded) input",
                self.kernel_size, self.dilation_rate, self.padding
            ),
        })?;
        Ok((c, ol))
    }

    fn pre_activation(&self, x: &Var, act: FusedActivation) -> Var {
        let per_sample = &x.shape()[1.min(x.ndim())..];
        let w = self.weights.get_or_init(|| {
            let (c, _) = self.check_input(per_sample).unwrap_or_else(|e| panic!("{e}"));
            let seed = self.seed.unwrap_or_else(|| NEXT_SEED.fetch_add(1, Ordering::Relaxed));
            self.make_weights(c, &mut Rng::new(seed))
        });
        if let Err(e) = self.check_input(per_sample) {
            panic!("{e}");
        }
        x.conv1d_act(&w.kernel, w.bias.as_ref(), self.strides, self.padding, self.dilation_rate, act)
    }
}

impl Module for Conv1D {
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

impl Layer for Conv1D {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Conv1D"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let (c, _) = self.check_input(input_shape)?;
        if self.weights.get().is_none() {
            let w = self.make_weights(c, rng);
            let _ = self.weights.set(w);
        }
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        self.weights.get().is_some()
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let (_, ol) = self.check_input(input_shape)?;
        Ok(vec![ol, self.filters])
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
        Some(LayerSpec::Conv1D {
            filters: self.filters,
            kernel_size: self.kernel_size,
            strides: self.strides,
            padding: self.padding,
            dilation_rate: self.dilation_rate,
            activation: self.activation,
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            bias_initializer: self.bias_initializer,
        })
    }
}

//! [`Conv2D`]: Keras' 2-D convolution on channels-last images, built lazily from the first input.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use kerosene_autograd::{FusedActivation, Var};
use kerosene_tensor::{Padding, Rng, Window2d};

use crate::activation::Activation;
use crate::error::{NnError, Result};
use crate::init::Initializer;
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

static NEXT_SEED: AtomicU64 = AtomicU64::new(0xc0de);

/// The weights of a built convolution ([`Conv2D`], [`Conv1D`](crate::Conv1D)).
pub struct ConvWeights {
    /// `[KH, KW, C_in, filters]` (Conv2D) or `[K, C_in, filters]` (Conv1D), Keras layout.
    pub kernel: Var,
    /// `[filters]`, if `use_bias`.
    pub bias: Option<Var>,
}

/// `y = activation(conv2d(x, K) + b)` on channels-last images (Keras `layers.Conv2D`).
///
/// ```text
/// y[n, i, j, o] = act(b[o] + Σ_{ky, kx, c} x[n, i·sh + ky·dh - ph, j·sw + kx·dw - pw, c] · K[ky, kx, c, o])
/// ```
///
/// computed as one GEMM of the im2col matrix with the kernel (see `Var::conv2d`).
///
/// # Shapes
/// - input `[N, H, W, C]` (NHWC, channels last; `C` is inferred at build or at the first call),
///   output `[N, OH, OW, filters]`
/// - `"valid"`: `OH = ⌊(H - dh·(KH - 1) - 1) / sh⌋ + 1`; `"same"`: `OH = ⌈H / sh⌉` (TensorFlow's
///   rule, the odd padding row at the bottom); likewise for the width
/// - `kernel: [KH, KW, C, filters]` (Keras layout), `bias: [filters]`
///
/// PyTorch users: an NCHW batch converts with `x.permute(&[0, 2, 3, 1])` (and back with
/// `y.permute(&[0, 3, 1, 2])`); a `Conv2d` weight `[O, C, KH, KW]` is `w.permute(&[2, 3, 1, 0])`
/// here. Channels last is the layout because the im2col rows in `(ky, kx, c)` order times the
/// Keras kernel give NHWC output directly, with no transposes.
///
/// # Parameters
/// The kernel from `kernel_initializer` (default glorot uniform with Keras' conv fans
/// `fan_in = KH·KW·C`, `fan_out = KH·KW·filters`), the bias from `bias_initializer` (default
/// zeros). ReLU, sigmoid, tanh and linear activations are fused into the GEMM's epilogue.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Activation, Conv2D, Module, Padding};
/// use kerosene_tensor::Tensor;
/// let conv = Conv2D::new(32, (3, 3)).activation(Activation::Relu);
/// let y = conv.forward(&Var::new(Tensor::ones(&[8, 28, 28, 1]))); // built here: kernel [3, 3, 1, 32]
/// assert_eq!(y.shape(), &[8, 26, 26, 32]);
/// assert_eq!(conv.num_parameters(), 3 * 3 * 1 * 32 + 32);
/// let same = Conv2D::new(16, (4, 4)).strides((2, 2)).padding(Padding::Same);
/// assert_eq!(same.forward(&Var::new(Tensor::ones(&[1, 7, 7, 3]))).shape(), &[1, 4, 4, 16]);
/// ```
pub struct Conv2D {
    filters: usize,
    kernel_size: (usize, usize),
    strides: (usize, usize),
    padding: Padding,
    dilation_rate: (usize, usize),
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    bias_initializer: Initializer,
    input_shape: Option<Vec<usize>>,
    seed: Option<u64>,
    name: String,
    weights: OnceLock<ConvWeights>,
}

impl Conv2D {
    /// `filters` output channels with a `(KH, KW)` kernel; strides 1, `"valid"` padding, no
    /// dilation, linear activation, bias, glorot-uniform kernel.
    ///
    /// # Panics
    /// If `filters` or a kernel size is 0.
    #[track_caller]
    pub fn new(filters: usize, kernel_size: (usize, usize)) -> Conv2D {
        assert!(filters > 0, "Conv2D: filters must be positive, got 0");
        assert!(kernel_size.0 > 0 && kernel_size.1 > 0, "Conv2D: kernel_size must be positive, got {kernel_size:?}");
        Conv2D {
            filters,
            kernel_size,
            strides: (1, 1),
            padding: Padding::Valid,
            dilation_rate: (1, 1),
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            bias_initializer: Initializer::Zeros,
            input_shape: None,
            seed: None,
            name: "conv2d".into(),
            weights: OnceLock::new(),
        }
    }

    /// Sets the strides (vertical, horizontal).
    ///
    /// # Panics
    /// If a stride is 0.
    #[track_caller]
    pub fn strides(mut self, s: (usize, usize)) -> Conv2D {
        assert!(s.0 > 0 && s.1 > 0, "Conv2D: strides must be positive, got {s:?}");
        self.strides = s;
        self
    }

    /// Sets the padding (`Valid`, `Same`, or PyTorch-style `Explicit`).
    pub fn padding(mut self, p: Padding) -> Conv2D {
        self.padding = p;
        self
    }

    /// Sets the dilation (vertical, horizontal).
    ///
    /// # Panics
    /// If a rate is 0.
    #[track_caller]
    pub fn dilation_rate(mut self, d: (usize, usize)) -> Conv2D {
        assert!(d.0 > 0 && d.1 > 0, "Conv2D: dilation_rate must be positive, got {d:?}");
        self.dilation_rate = d;
        self
    }

    /// Sets the activation.
    pub fn activation(mut self, a: Activation) -> Conv2D {
        self.activation = a;
        self
    }

    /// With or without bias.
    pub fn use_bias(mut self, b: bool) -> Conv2D {
        self.use_bias = b;
        self
    }

    /// Sets the kernel initializer.
    pub fn kernel_initializer(mut self, i: Initializer) -> Conv2D {
        self.kernel_initializer = i;
        self
    }

    /// Sets the bias initializer.
    pub fn bias_initializer(mut self, i: Initializer) -> Conv2D {
        self.bias_initializer = i;
        self
    }

    /// Declares the per-sample input shape `[H, W, C]` (Keras `input_shape=`).
    pub fn input_shape(mut self, shape: &[usize]) -> Conv2D {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Seeds the initialization when the layer builds itself at its first call.
    pub fn seed(mut self, seed: u64) -> Conv2D {
        self.seed = Some(seed);
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> Conv2D {
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
        let (kh, kw) = self.kernel_size;
        let kernel = Var::param(self.kernel_initializer.init(&[kh, kw, c_in, self.filters], rng));
        let bias = self.use_bias.then(|| Var::param(self.bias_initializer.init(&[self.filters], rng)));
        ConvWeights { kernel, bias }
    }

    /// Validates a per-sample `[H, W, C]` shape; returns `(C, OH, OW)`.
    fn check_input(&self, input_shape: &[usize]) -> Result<(usize, usize, usize)> {
        expect_rank(&self.name, input_shape, 3, false)?;
        let c = input_shape[2];
        let built = self.weights.get().map(|w| w.kernel.shape()[2]);
        check_channels(&self.name, input_shape, built)?;
        let (oh, ow) = spatial_out(
            &self.name,
            "kernel",
            input_shape,
            self.kernel_size,
            self.strides,
            self.dilation_rate,
            self.padding,
        )?;
        Ok((c, oh, ow))
    }

    fn pre_activation(&self, x: &Var, act: FusedActivation) -> Var {
        let per_sample = &x.shape()[1.min(x.ndim())..];
        let w = self.weights.get_or_init(|| {
            let (c, _, _) = self.check_input(per_sample).unwrap_or_else(|e| panic!("{e}"));
            let seed = self.seed.unwrap_or_else(|| NEXT_SEED.fetch_add(1, Ordering::Relaxed));
            self.make_weights(c, &mut Rng::new(seed))
        });
        if let Err(e) = self.check_input(per_sample) {
            panic!("{e}");
        }
        x.conv2d_act(&w.kernel, w.bias.as_ref(), self.strides, self.padding, self.dilation_rate, act)
    }
}

/// Errors unless the channels (the last axis) equal the built layer's input channels.
pub(crate) fn check_channels(layer: &str, input_shape: &[usize], built: Option<usize>) -> Result<()> {
    let c = *input_shape.last().expect("rank checked");
    match built {
        Some(k) if k != c => Err(NnError::InputShape {
            layer: layer.to_string(),
            message: format!(
                "expected axis -1 of input shape to have value {k}, but received input with shape {input_shape:?}"
            ),
        }),
        _ => Ok(()),
    }
}

/// The output height and width of a sliding window (a kernel or a pool) over a per-sample
/// `[H, W, C]` shape, or an error naming the layer, the window and the input shape.
pub(crate) fn spatial_out(
    layer: &str,
    what: &str,
    input_shape: &[usize],
    window: (usize, usize),
    strides: (usize, usize),
    dilation: (usize, usize),
    padding: Padding,
) -> Result<(usize, usize)> {
    let shape = [1, input_shape[0], input_shape[1], input_shape[2]];
    match Window2d::new("layer", &shape, window, strides, dilation, padding) {
        Ok(g) if g.out.0 > 0 && g.out.1 > 0 => Ok(g.out),
        _ => {
            let dil = if dilation == (1, 1) { String::new() } else { format!(" with dilation {dilation:?}") };
            Err(NnError::InputShape {
                layer: layer.to_string(),
                message: format!(
                    "cannot apply a {}x{} {what}{dil} ({padding:?} padding, strides {strides:?}) to input shape \
                     {input_shape:?}: the {what} is larger than the (padded) input",
                    window.0, window.1
                ),
            })
        }
    }
}

impl Module for Conv2D {
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

impl Layer for Conv2D {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Conv2D"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        let (c, _, _) = self.check_input(input_shape)?;
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
        let (_, oh, ow) = self.check_input(input_shape)?;
        Ok(vec![oh, ow, self.filters])
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
        Some(LayerSpec::Conv2D {
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

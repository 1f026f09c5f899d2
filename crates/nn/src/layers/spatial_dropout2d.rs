//! [`SpatialDropout2D`]: dropout of whole feature maps, the identity in evaluation mode.

use std::sync::Mutex;

use kerosene_autograd::Var;
use kerosene_tensor::{Rng, Tensor};

use crate::error::{NnError, Result};
use crate::layer::{Layer, expect_rank};
use crate::mode::ModeFlag;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// In training, zeroes each channel of each image with probability `rate` and scales the kept
/// ones by `1 / (1 - rate)`; in evaluation, returns the input unchanged (Keras
/// `layers.SpatialDropout2D`, PyTorch `Dropout2d` on channels-last data).
///
/// ```text
/// y[n, i, j, c] = x[n, i, j, c] · m[n, c] / (1 - rate),   m[n, c] ~ Bernoulli(1 - rate)
/// ```
///
/// Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
/// barely regularizes a convolution; dropping whole maps does. The mask has shape
/// `[N, 1, 1, C]` and broadcasts over the image; the gradient is `g · m / (1 - rate)`.
///
/// # Shapes
/// Input `[N, H, W, C]`, output the same.
///
/// # Parameters
/// None; the mask stream is seeded (see [`SpatialDropout2D::seed`]) or drawn from the model's
/// generator at build.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Module, SpatialDropout2D};
/// use kerosene_tensor::Tensor;
/// let d = SpatialDropout2D::new(0.5).seed(3);
/// let x = Var::new(Tensor::ones(&[4, 5, 5, 16]));
/// let y = d.forward(&x).value();
/// assert_eq!(y.shape(), &[4, 5, 5, 16]);
/// // Every channel of every image is all zeros or all twos.
/// let v = y.to_vec::<f32>();
/// for n in 0..4 {
///     for c in 0..16 {
///         let first = v[n * 400 + c];
///         assert!(first == 0.0 || first == 2.0);
///         assert!((0..25).all(|p| v[n * 400 + p * 16 + c] == first));
///     }
/// }
/// d.eval();
/// assert_eq!(d.forward(&x).value(), x.value());
/// ```
pub struct SpatialDropout2D {
    rate: f64,
    seed: u64,
    rng: Mutex<Rng>,
    mode: ModeFlag,
    name: String,
}

impl SpatialDropout2D {
    /// Channel dropout with probability `rate`, seeded with 0.
    ///
    /// # Panics
    /// If `rate` is not in `[0, 1)`.
    #[track_caller]
    pub fn new(rate: f64) -> SpatialDropout2D {
        SpatialDropout2D::try_new(rate).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Fallible [`SpatialDropout2D::new`].
    pub fn try_new(rate: f64) -> Result<SpatialDropout2D> {
        if !(0.0..1.0).contains(&rate) {
            return Err(NnError::Config(format!("SpatialDropout2D: rate must be in [0, 1), got {rate}")));
        }
        Ok(SpatialDropout2D {
            rate,
            seed: 0,
            rng: Mutex::new(Rng::new(0)),
            mode: ModeFlag::new(),
            name: "spatial_dropout2d".into(),
        })
    }

    /// Seeds the masks.
    pub fn seed(mut self, seed: u64) -> SpatialDropout2D {
        self.seed = seed;
        self.rng = Mutex::new(Rng::new(seed));
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> SpatialDropout2D {
        self.name = name.to_string();
        self
    }

    /// The drop probability.
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

impl Module for SpatialDropout2D {
    fn forward(&self, x: &Var) -> Var {
        if let Err(e) = expect_rank(&self.name, &x.shape()[1.min(x.ndim())..], 3, false) {
            panic!("{e}");
        }
        if !self.mode.is_training() || self.rate == 0.0 {
            return x.clone();
        }
        let (n, c) = (x.shape()[0], x.shape()[3]);
        let mut rng = self.rng.lock().expect("spatial dropout rng poisoned");
        let mask = Tensor::bernoulli(&[n, 1, 1, c], 1.0 - self.rate, &mut rng)
            .mul_scalar(1.0 / (1.0 - self.rate))
            .to_dtype(x.dtype());
        x.mul_mask(&mask)
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        v.mode(&self.mode);
    }
}

impl Layer for SpatialDropout2D {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "SpatialDropout2D"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        // Draw the mask stream from the model's generator, so the whole model follows one seed.
        self.rng = Mutex::new(rng.fork());
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 3, false)?;
        Ok(input_shape.to_vec())
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::SpatialDropout2D { rate: self.rate, seed: self.seed })
    }
}

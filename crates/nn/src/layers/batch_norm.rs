//! [`BatchNormalization`]: normalizes features with batch statistics in training and moving
//! averages in evaluation (Keras semantics).

use std::sync::OnceLock;

use kerosene_autograd::{Var, no_grad};
use kerosene_tensor::{Rng, Tensor};

use crate::error::{NnError, Result};
use crate::layer::{Layer, expect_rank};
use crate::mode::ModeFlag;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

struct BnWeights {
    gamma: Option<Var>,
    beta: Option<Var>,
    moving_mean: Var,
    moving_variance: Var,
}

/// `y = gamma (x - mean) / sqrt(var + epsilon) + beta` over the last axis (features, or
/// channels of an NHWC image), with Keras' defaults `momentum = 0.99`, `epsilon = 1e-3`.
///
/// In training, `mean` and `var` (biased) are taken over every axis but the last, and the moving
/// averages are updated as `moving = momentum · moving + (1 - momentum) · batch`. In
/// evaluation, the moving averages are used.
///
/// # Shapes
/// - input `[N, .., C]`, output the same
/// - `gamma`, `beta`, `moving_mean`, `moving_variance`: `[C]` (ones, zeros, zeros, ones)
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{BatchNormalization, Module};
/// use kerosene_tensor::Tensor;
/// let bn = BatchNormalization::new();
/// let x = Var::new(Tensor::from_vec(vec![1.0f32, 10.0, 3.0, 30.0], &[2, 2]));
/// let y = bn.forward(&x).value();
/// // Each column normalized to mean 0, variance 1 (up to epsilon).
/// assert!((y.at(&[0, 0]) + 1.0).abs() < 1e-3 && (y.at(&[1, 1]) - 1.0).abs() < 1e-3);
/// ```
pub struct BatchNormalization {
    momentum: f64,
    epsilon: f64,
    center: bool,
    scale: bool,
    mode: ModeFlag,
    name: String,
    weights: OnceLock<BnWeights>,
}

impl BatchNormalization {
    /// Keras defaults: momentum 0.99, epsilon 1e-3, center and scale.
    pub fn new() -> BatchNormalization {
        BatchNormalization {
            momentum: 0.99,
            epsilon: 1e-3,
            center: true,
            scale: true,
            mode: ModeFlag::new(),
            name: "batch_normalization".into(),
            weights: OnceLock::new(),
        }
    }

    /// Sets the moving-average momentum.
    ///
    /// # Panics
    /// If not in `[0, 1]`.
    #[track_caller]
    pub fn momentum(mut self, m: f64) -> BatchNormalization {
        assert!((0.0..=1.0).contains(&m), "BatchNormalization: momentum must be in [0, 1], got {m}");
        self.momentum = m;
        self
    }

    /// Sets epsilon.
    ///
    /// # Panics
    /// If not positive.
    #[track_caller]
    pub fn epsilon(mut self, e: f64) -> BatchNormalization {
        assert!(e > 0.0, "BatchNormalization: epsilon must be positive, got {e}");
        self.epsilon = e;
        self
    }

    /// With or without `beta`.
    pub fn center(mut self, c: bool) -> BatchNormalization {
        self.center = c;
        self
    }

    /// With or without `gamma`.
    pub fn scale(mut self, s: bool) -> BatchNormalization {
        self.scale = s;
        self
    }

    fn make(&self, c: usize) -> BnWeights {
        BnWeights {
            gamma: self.scale.then(|| Var::param(Tensor::ones(&[c]))),
            beta: self.center.then(|| Var::param(Tensor::zeros(&[c]))),
            moving_mean: Var::new(Tensor::zeros(&[c])),
            moving_variance: Var::new(Tensor::ones(&[c])),
        }
    }
}

impl Default for BatchNormalization {
    fn default() -> Self {
        BatchNormalization::new()
    }
}

impl Module for BatchNormalization {
    fn forward(&self, x: &Var) -> Var {
        let c = *x.shape().last().unwrap_or_else(|| panic!("layer \"{}\" expects at least 1-D input", self.name));
        let w = self.weights.get_or_init(|| self.make(c));
        if w.moving_mean.shape() != [c] {
            panic!(
                "layer \"{}\" expected axis -1 of input shape to have value {}, but received input with shape {:?}",
                self.name,
                w.moving_mean.shape()[0],
                x.shape()
            );
        }
        let axes: Vec<isize> = (0..x.ndim() as isize - 1).collect();
        let dt = x.dtype();
        let y = if self.mode.is_training() {
            let mean = x.mean(&axes, false);
            let centered = x.sub(&mean);
            let var = centered.square().mean(&axes, false);
            no_grad(|| {
                let m = self.momentum;
                let mm = w.moving_mean.value().to_dtype(dt).mul_scalar(m).add(&mean.value().mul_scalar(1.0 - m));
                let mv = w.moving_variance.value().to_dtype(dt).mul_scalar(m).add(&var.value().mul_scalar(1.0 - m));
                w.moving_mean.set_value(mm.to_dtype(w.moving_mean.dtype()));
                w.moving_variance.set_value(mv.to_dtype(w.moving_variance.dtype()));
            });
            centered.div(&var.add_scalar(self.epsilon).sqrt())
        } else {
            let mean = Var::new(w.moving_mean.value().to_dtype(dt));
            let inv = Var::new(w.moving_variance.value().to_dtype(dt).add_scalar(self.epsilon).rsqrt());
            x.sub(&mean).mul(&inv)
        };
        let y = match &w.gamma {
            Some(g) => y.mul(g),
            None => y,
        };
        match &w.beta {
            Some(b) => y.add(b),
            None => y,
        }
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        v.mode(&self.mode);
        if let Some(w) = self.weights.get() {
            if let Some(g) = &w.gamma {
                v.param("gamma", g);
            }
            if let Some(b) = &w.beta {
                v.param("beta", b);
            }
            v.buffer("moving_mean", &w.moving_mean);
            v.buffer("moving_variance", &w.moving_variance);
        }
    }
}

impl Layer for BatchNormalization {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "BatchNormalization"
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 1, true)?;
        let c = *input_shape.last().expect("rank checked");
        let w = self.weights.get_or_init(|| self.make(c));
        if w.moving_mean.shape() != [c] {
            return Err(NnError::InputShape {
                layer: self.name.clone(),
                message: format!(
                    "was built for {} features, got per-sample shape {input_shape:?}",
                    w.moving_mean.shape()[0]
                ),
            });
        }
        Ok(input_shape.to_vec())
    }
    fn is_built(&self) -> bool {
        self.weights.get().is_some()
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 1, true)?;
        Ok(input_shape.to_vec())
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::BatchNormalization {
            momentum: self.momentum,
            epsilon: self.epsilon,
            center: self.center,
            scale: self.scale,
        })
    }
}

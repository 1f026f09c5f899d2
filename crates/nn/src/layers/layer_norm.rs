//! [`LayerNormalization`]: normalizes each sample over its last axis.

use std::sync::OnceLock;

use kerosene_autograd::Var;
use kerosene_tensor::{Rng, Tensor};

use crate::error::{NnError, Result};
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// `y = gamma (x - mean) / sqrt(var + epsilon) + beta`, with `mean` and `var` over the last
/// axis of each sample (Keras `layers.LayerNormalization`, default `epsilon = 1e-3`).
///
/// # Shapes
/// - input `[.., C]`, output the same
/// - `gamma: [C]` (ones), `beta: [C]` (zeros)
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{LayerNormalization, Module};
/// use kerosene_tensor::Tensor;
/// let ln = LayerNormalization::new();
/// let y = ln.forward(&Var::new(Tensor::from_vec(vec![1.0f32, 3.0], &[1, 2]))).value();
/// assert!((y.at(&[0, 0]) + 1.0).abs() < 1e-3 && (y.at(&[0, 1]) - 1.0).abs() < 1e-3);
/// ```
pub struct LayerNormalization {
    epsilon: f64,
    center: bool,
    scale: bool,
    name: String,
    weights: OnceLock<(Option<Var>, Option<Var>)>,
}

impl LayerNormalization {
    /// Keras defaults: epsilon 1e-3, center and scale.
    pub fn new() -> LayerNormalization {
        LayerNormalization {
            epsilon: 1e-3,
            center: true,
            scale: true,
            name: "layer_normalization".into(),
            weights: OnceLock::new(),
        }
    }

    /// Sets epsilon.
    ///
    /// # Panics
    /// If not positive.
    #[track_caller]
    pub fn epsilon(mut self, e: f64) -> LayerNormalization {
        assert!(e > 0.0, "LayerNormalization: epsilon must be positive, got {e}");
        self.epsilon = e;
        self
    }

    /// With or without `beta`.
    pub fn center(mut self, c: bool) -> LayerNormalization {
        self.center = c;
        self
    }

    /// With or without `gamma`.
    pub fn scale(mut self, s: bool) -> LayerNormalization {
        self.scale = s;
        self
    }

    fn make(&self, c: usize) -> (Option<Var>, Option<Var>) {
        (self.scale.then(|| Var::param(Tensor::ones(&[c]))), self.center.then(|| Var::param(Tensor::zeros(&[c]))))
    }

    fn features(&self) -> Option<usize> {
        self.weights.get().and_then(|(g, b)| g.as_ref().or(b.as_ref()).map(|v| v.shape()[0]))
    }
}

impl Default for LayerNormalization {
    fn default() -> Self {
        LayerNormalization::new()
    }
}

impl Module for LayerNormalization {
    fn forward(&self, x: &Var) -> Var {
        let c = *x.shape().last().unwrap_or_else(|| panic!("layer \"{}\" expects at least 1-D input", self.name));
        let (gamma, beta) = self.weights.get_or_init(|| self.make(c));
        if let Some(f) = self.features().filter(|&f| f != c) {
            panic!(
                "layer \"{}\" expected axis -1 of input shape to have value {f}, but received input with shape {:?}",
                self.name,
                x.shape()
            );
        }
        let mean = x.mean(&[-1], true);
        let centered = x.sub(&mean);
        let var = centered.square().mean(&[-1], true);
        let y = centered.div(&var.add_scalar(self.epsilon).sqrt());
        let y = match gamma {
            Some(g) => y.mul(g),
            None => y,
        };
        match beta {
            Some(b) => y.add(b),
            None => y,
        }
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        if let Some((g, b)) = self.weights.get() {
            if let Some(g) = g {
                v.param("gamma", g);
            }
            if let Some(b) = b {
                v.param("beta", b);
            }
        }
    }
}

impl Layer for LayerNormalization {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "LayerNormalization"
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 1, true)?;
        let c = *input_shape.last().expect("rank checked");
        self.weights.get_or_init(|| self.make(c));
        if let Some(f) = self.features().filter(|&f| f != c) {
            return Err(NnError::InputShape {
                layer: self.name.clone(),
                message: format!("was built for {f} features, got per-sample shape {input_shape:?}"),
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
        Some(LayerSpec::LayerNormalization { epsilon: self.epsilon, center: self.center, scale: self.scale })
    }
}

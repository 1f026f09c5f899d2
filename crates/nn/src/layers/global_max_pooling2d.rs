//! [`GlobalMaxPooling2D`]: Keras' global max pooling, `[N, H, W, C] -> [N, C]`.

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::error::Result;
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// The maximum of each channel over the whole image (Keras `layers.GlobalMaxPooling2D`).
///
/// ```text
/// y[n, c] = max_{p, q} x[n, p, q, c]
/// ```
///
/// Tied maxima share the gradient evenly.
///
/// # Shapes
/// Input `[N, H, W, C]`, output `[N, C]` (or `[N, 1, 1, C]` with `keepdims`).
///
/// # Parameters
/// None.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{GlobalMaxPooling2D, Module};
/// use kerosene_tensor::Tensor;
/// let y = GlobalMaxPooling2D::new().forward(&Var::new(Tensor::ones(&[8, 7, 7, 64])));
/// assert_eq!(y.shape(), &[8, 64]);
/// let y = GlobalMaxPooling2D::new().keepdims(true).forward(&Var::new(Tensor::ones(&[8, 7, 7, 64])));
/// assert_eq!(y.shape(), &[8, 1, 1, 64]);
/// ```
#[derive(Debug, Clone)]
pub struct GlobalMaxPooling2D {
    keepdims: bool,
    name: String,
}

impl GlobalMaxPooling2D {
    /// The layer (`keepdims = false`).
    pub fn new() -> GlobalMaxPooling2D {
        GlobalMaxPooling2D { keepdims: false, name: "global_max_pooling2d".into() }
    }

    /// Keeps the spatial axes as size 1: output `[N, 1, 1, C]`.
    pub fn keepdims(mut self, keep: bool) -> GlobalMaxPooling2D {
        self.keepdims = keep;
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> GlobalMaxPooling2D {
        self.name = name.to_string();
        self
    }
}

impl Default for GlobalMaxPooling2D {
    fn default() -> Self {
        GlobalMaxPooling2D::new()
    }
}

impl Module for GlobalMaxPooling2D {
    fn forward(&self, x: &Var) -> Var {
        if let Err(e) = expect_rank(&self.name, &x.shape()[1.min(x.ndim())..], 3, false) {
            panic!("{e}");
        }
        if self.keepdims { x.max(&[1, 2], true) } else { x.global_max_pool2d() }
    }
    fn visit(&self, _v: &mut Visitor<'_>) {}
}

impl Layer for GlobalMaxPooling2D {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "GlobalMaxPooling2D"
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 3, false)?;
        Ok(if self.keepdims { vec![1, 1, input_shape[2]] } else { vec![input_shape[2]] })
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::GlobalMaxPooling2D { keepdims: self.keepdims })
    }
}

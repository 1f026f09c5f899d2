//! [`MaxPooling2D`]: Keras' max pooling over channels-last images.

use kerosene_autograd::Var;
use kerosene_tensor::{Padding, Rng};

use crate::error::Result;
use crate::layer::{Layer, expect_rank};
use crate::layers::conv2d::spatial_out;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// The maximum of each `PH x PW` window, per channel (Keras `layers.MaxPooling2D`).
///
/// ```text
/// y[n, i, j, c] = max_{(p, q) ∈ V(i, j)} x[n, p, q, c]
/// ```
///
/// where `V(i, j)` is the part of the window at output `(i, j)` inside the input (padding is
/// never part of a window). The gradient goes to the first maximum of each window.
///
/// # Shapes
/// - input `[N, H, W, C]`, output `[N, OH, OW, C]`
/// - `"valid"`: `OH = ⌊(H - PH) / sh⌋ + 1`; `"same"`: `OH = ⌈H / sh⌉`; likewise for the width
///
/// # Parameters
/// None. Strides default to the pool size, padding to `"valid"`.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{MaxPooling2D, Module, Padding};
/// use kerosene_tensor::Tensor;
/// let pool = MaxPooling2D::new((2, 2));
/// assert_eq!(pool.forward(&Var::new(Tensor::ones(&[8, 26, 26, 32]))).shape(), &[8, 13, 13, 32]);
/// let same = MaxPooling2D::new((3, 3)).strides((2, 2)).padding(Padding::Same);
/// assert_eq!(same.forward(&Var::new(Tensor::ones(&[8, 11, 11, 4]))).shape(), &[8, 6, 6, 4]);
/// ```
#[derive(Debug, Clone)]
pub struct MaxPooling2D {
    pool_size: (usize, usize),
    strides: Option<(usize, usize)>,
    padding: Padding,
    name: String,
}

impl MaxPooling2D {
    /// Pooling over `pool_size` windows, strides = `pool_size`, `"valid"` padding.
    ///
    /// # Panics
    /// If a pool size is 0.
    #[track_caller]
    pub fn new(pool_size: (usize, usize)) -> MaxPooling2D {
        assert!(pool_size.0 > 0 && pool_size.1 > 0, "MaxPooling2D: pool_size must be positive, got {pool_size:?}");
        MaxPooling2D { pool_size, strides: None, padding: Padding::Valid, name: "max_pooling2d".into() }
    }

    /// Sets the strides (default: the pool size).
    ///
    /// # Panics
    /// If a stride is 0.
    #[track_caller]
    pub fn strides(mut self, s: (usize, usize)) -> MaxPooling2D {
        assert!(s.0 > 0 && s.1 > 0, "MaxPooling2D: strides must be positive, got {s:?}");
        self.strides = Some(s);
        self
    }

    /// Sets the padding.
    pub fn padding(mut self, p: Padding) -> MaxPooling2D {
        self.padding = p;
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> MaxPooling2D {
        self.name = name.to_string();
        self
    }

    /// The strides in use.
    pub fn stride(&self) -> (usize, usize) {
        self.strides.unwrap_or(self.pool_size)
    }
}

impl Module for MaxPooling2D {
    fn forward(&self, x: &Var) -> Var {
        if x.ndim() == 4
            && let Err(e) = self.output_shape(&x.shape()[1..])
        {
            panic!("{e}");
        }
        x.max_pool2d(self.pool_size, self.stride(), self.padding)
    }
    fn visit(&self, _v: &mut Visitor<'_>) {}
}

impl Layer for MaxPooling2D {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "MaxPooling2D"
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 3, false)?;
        let (oh, ow) =
            spatial_out(&self.name, "pool", input_shape, self.pool_size, self.stride(), (1, 1), self.padding)?;
        Ok(vec![oh, ow, input_shape[2]])
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::MaxPooling2D { pool_size: self.pool_size, strides: self.strides, padding: self.padding })
    }
}

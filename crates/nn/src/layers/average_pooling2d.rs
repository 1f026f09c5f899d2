//! [`AveragePooling2D`]: Keras' average pooling over channels-last images.

use kerosene_autograd::Var;
use kerosene_tensor::{Padding, Rng};

use crate::error::Result;
use crate::layer::{Layer, expect_rank};
use crate::layers::conv2d::spatial_out;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// The mean of each `PH x PW` window, per channel (Keras `layers.AveragePooling2D`).
///
/// ```text
/// y[n, i, j, c] = (1 / |V(i, j)|) Σ_{(p, q) ∈ V(i, j)} x[n, p, q, c]
/// ```
///
/// where `V(i, j)` is the part of the window at output `(i, j)` inside the input (padding is
/// never part of a window). With `"same"` padding, border windows average only their elements inside the input
/// (Keras; PyTorch's `count_include_pad=False`).
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
/// use kerosene_nn::{AveragePooling2D, Module, Padding};
/// use kerosene_tensor::Tensor;
/// let pool = AveragePooling2D::new((2, 2));
/// assert_eq!(pool.forward(&Var::new(Tensor::ones(&[8, 26, 26, 32]))).shape(), &[8, 13, 13, 32]);
/// let same = AveragePooling2D::new((3, 3)).strides((2, 2)).padding(Padding::Same);
/// assert_eq!(same.forward(&Var::new(Tensor::ones(&[8, 11, 11, 4]))).shape(), &[8, 6, 6, 4]);
/// ```
#[derive(Debug, Clone)]
pub struct AveragePooling2D {
    pool_size: (usize, usize),
    strides: Option<(usize, usize)>,
    padding: Padding,
    name: String,
}

impl AveragePooling2D {
    /// Pooling over `pool_size` windows, strides = `pool_size`, `"valid"` padding.
    ///
    /// # Panics
    /// If a pool size is 0.
    #[track_caller]
    pub fn new(pool_size: (usize, usize)) -> AveragePooling2D {
        assert!(pool_size.0 > 0 && pool_size.1 > 0, "AveragePooling2D: pool_size must be positive, got {pool_size:?}");
        AveragePooling2D { pool_size, strides: None, padding: Padding::Valid, name: "average_pooling2d".into() }
    }

    /// Sets the strides (default: the pool size).
    ///
    /// # Panics
    /// If a stride is 0.
    #[track_caller]
    pub fn strides(mut self, s: (usize, usize)) -> AveragePooling2D {
        assert!(s.0 > 0 && s.1 > 0, "AveragePooling2D: strides must be positive, got {s:?}");
        self.strides = Some(s);
        self
    }

    /// Sets the padding.
    pub fn padding(mut self, p: Padding) -> AveragePooling2D {
        self.padding = p;
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> AveragePooling2D {
        self.name = name.to_string();
        self
    }

    /// The strides in use.
    pub fn stride(&self) -> (usize, usize) {
        self.strides.unwrap_or(self.pool_size)
    }
}

impl Module for AveragePooling2D {
    fn forward(&self, x: &Var) -> Var {
        if x.ndim() == 4
            && let Err(e) = self.output_shape(&x.shape()[1..])
        {
            panic!("{e}");
        }
        x.avg_pool2d(self.pool_size, self.stride(), self.padding)
    }
    fn visit(&self, _v: &mut Visitor<'_>) {}
}

impl Layer for AveragePooling2D {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "AveragePooling2D"
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
        Some(LayerSpec::AveragePooling2D { pool_size: self.pool_size, strides: self.strides, padding: self.padding })
    }
}

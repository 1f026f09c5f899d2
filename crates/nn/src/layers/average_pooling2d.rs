//! [`AveragePooling2D`]: Keras' average pooling over channels-last images.

use kerosene_autograd::Var;
use kerosene_tensor::{Padding, Rng};

use crate::error::Result;
use crate::layer::{Layer, expect_rank};
use crate::layers::conv2d::spatial_out;
use crate::layers::pooling2d::pooling2d_layer;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

pooling2d_layer! {
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
    AveragePooling2D,
    name: "average_pooling2d",
    op: avg_pool2d
}

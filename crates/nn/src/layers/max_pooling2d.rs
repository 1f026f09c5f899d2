//! [`MaxPooling2D`]: Keras' max pooling over channels-last images.

use kerosene_autograd::Var;
use kerosene_tensor::{Padding, Rng};

use crate::error::Result;
use crate::layer::{Layer, expect_rank};
use crate::layers::conv2d::spatial_out;
use crate::layers::pooling2d::pooling2d_layer;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

pooling2d_layer! {
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
    MaxPooling2D,
    name: "max_pooling2d",
    op: max_pool2d
}

//! 1-D convolution over channels-last sequences, as a 2-D convolution of height 1.
//!
//! With `x: [N, L, C]`, kernel `K: [KL, C, O]`, bias `b: [O]`, stride `s`, dilation `d` and left
//! padding `p`:
//!
//! ```text
//! y[n, i, o] = act(b[o] + Σ_{k, c} x[n, i·s + k·d - p, c] · K[k, c, o])
//! ```
//!
//! It is [`Var::conv2d`] on the view `x: [N, 1, L, C]` with kernel `[1, KL, C, O]` (both
//! reshapes of contiguous data are free), so the derivatives are conv2d's:
//! `∂L/∂K = X̂ᵀ dZ`, `∂L/∂b = Σ_rows dZ`, `∂L/∂x = col2im(dZ K̂ᵀ)`, read back through the reshapes.

use kerosene_tensor::Padding;

use crate::Var;
use crate::ops::conv2d::conv2d_impl;
use crate::ops::linear::FusedActivation;

impl Var {
    /// Keras `Conv1D` on channels-last sequences: `x: [N, L, C]`, kernel `[KL, C, O]`, optional
    /// bias `[O]`, output `[N, OL, O]`. Explicit padding is `Padding::Explicit(0, 0, left, right)`
    /// (the width axis of the `[N, 1, L, C]` view); Keras' `"causal"` padding is
    /// `Explicit(0, 0, (KL - 1) · dilation, 0)`. PyTorch's NCL input converts with
    /// `x.permute(&[0, 2, 1])`.
    ///
    /// ```
    /// use kerosene_autograd::Var;
    /// use kerosene_tensor::{Padding, Tensor};
    /// let x = Var::new(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[1, 4, 1]));
    /// let k = Var::param(Tensor::from_vec(vec![1.0f32, -1.0], &[2, 1, 1]));
    /// let y = x.conv1d(&k, None, 1, Padding::Valid, 1);
    /// assert_eq!(y.value().to_vec::<f32>(), vec![-1.0, -1.0, -1.0]); // x[i] - x[i + 1]
    /// ```
    ///
    /// # Panics
    /// If the input is not `[N, L, C]`, the kernel is not `[KL, C, O]`, the bias is not `[O]`,
    /// explicit padding pads the height, or the (dilated) kernel does not fit the padded input.
    #[track_caller]
    pub fn conv1d(&self, kernel: &Var, bias: Option<&Var>, stride: usize, padding: Padding, dilation: usize) -> Var {
        conv1d_impl(self, kernel, bias, stride, padding, dilation, FusedActivation::Identity)
    }

    /// [`Var::conv1d`] followed by a fused activation.
    ///
    /// # Panics
    /// As [`Var::conv1d`].
    #[track_caller]
    pub fn conv1d_act(
        &self,
        kernel: &Var,
        bias: Option<&Var>,
        stride: usize,
        padding: Padding,
        dilation: usize,
        act: FusedActivation,
    ) -> Var {
        conv1d_impl(self, kernel, bias, stride, padding, dilation, act)
    }
}

#[track_caller]
fn conv1d_impl(
    x: &Var,
    k: &Var,
    b: Option<&Var>,
    stride: usize,
    padding: Padding,
    dilation: usize,
    act: FusedActivation,
) -> Var {
    if x.ndim() != 3 {
        panic!("conv1d: expected an input [N, L, C], got shape {:?}", x.shape());
    }
    if k.ndim() != 3 {
        panic!("conv1d: expected a kernel [KL, C_in, C_out], got shape {:?}", k.shape());
    }
    if let Padding::Explicit(t, bottom, _, _) = padding
        && (t, bottom) != (0, 0)
    {
        panic!("conv1d: explicit padding is Explicit(0, 0, left, right), got {padding:?}");
    }
    let (xs, ks) = (x.shape(), k.shape());
    let x4 = x.reshape_to(&[xs[0], 1, xs[1], xs[2]]);
    let k4 = k.reshape_to(&[1, ks[0], ks[1], ks[2]]);
    let y = conv2d_impl("conv1d", &x4, &k4, b, ((1, stride), (1, dilation), padding), act);
    let ys = y.shape().to_vec();
    y.reshape_to(&[ys[0], ys[2], ys[3]])
}

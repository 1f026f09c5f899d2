//! im2col / col2im for channels-last (NHWC) images: the bridge from convolution to GEMM.
//!
//! `im2col` lays each receptive field out as one row, in `(ky, kx, c)` order, so that a Keras
//! kernel `[kh, kw, c_in, c_out]` reshaped to `[kh * kw * c_in, c_out]` multiplies it directly:
//! `conv(x, k) = im2col(x) @ k` gives `[n * oh * ow, c_out]`, which is NHWC output.
//! `col2im` is its adjoint (overlapping fields add up), the input gradient of a convolution.

use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Result, TensorError, ok};
use crate::tensor::with_array;
use crate::{Element, Tensor};

/// Padding of a convolution or pooling window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Padding {
    /// No padding: only windows that fit entirely inside the input.
    Valid,
    /// Zero padding so that the output has `ceil(input / stride)` positions (TensorFlow's rule:
    /// the odd extra row / column goes to the bottom / right).
    Same,
    /// Explicit zero padding `(top, bottom, left, right)` (PyTorch's `padding=`).
    Explicit(usize, usize, usize, usize),
}

/// The sizes of a 2-D sliding window over an NHWC input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window2d {
    /// Batch size.
    pub n: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Input channels.
    pub c: usize,
    /// Kernel height and width.
    pub kernel: (usize, usize),
    /// Strides (vertical, horizontal).
    pub stride: (usize, usize),
    /// Dilations (vertical, horizontal).
    pub dilation: (usize, usize),
    /// Padding above and to the left (the bottom / right padding follows from the output size).
    pub pad: (usize, usize),
    /// Output height and width.
    pub out: (usize, usize),
}

impl Window2d {
    /// The window geometry for an NHWC input shape, or an error naming the op and the sizes.
    ///
    /// ```
    /// use kerosene_tensor::{Padding, Window2d};
    /// let g = Window2d::new("conv2d", &[8, 28, 28, 1], (3, 3), (1, 1), (1, 1), Padding::Valid).unwrap();
    /// assert_eq!(g.out, (26, 26));
    /// let g = Window2d::new("conv2d", &[8, 28, 28, 1], (4, 4), (2, 2), (1, 1), Padding::Same).unwrap();
    /// assert_eq!((g.out, g.pad), ((14, 14), (1, 1)));
    /// ```
    pub fn new(
        op: &'static str,
        input: &[usize],
        kernel: (usize, usize),
        stride: (usize, usize),
        dilation: (usize, usize),
        padding: Padding,
    ) -> Result<Window2d> {
        if input.len() != 4 {
            return Err(TensorError::invalid(op, format!("expected an NHWC input of rank 4, got shape {input:?}")));
        }
        if kernel.0 == 0 || kernel.1 == 0 || stride.0 == 0 || stride.1 == 0 || dilation.0 == 0 || dilation.1 == 0 {
            return Err(TensorError::invalid(
                op,
                format!("kernel {kernel:?}, strides {stride:?} and dilation {dilation:?} must be positive"),
            ));
        }
        let (n, h, w, c) = (input[0], input[1], input[2], input[3]);
        let ext = |k: usize, d: usize| (k - 1) * d + 1;
        let (eh, ew) = (ext(kernel.0, dilation.0), ext(kernel.1, dilation.1));
        let (pad, padded) = match padding {
            Padding::Valid => ((0, 0), (h, w)),
            Padding::Same => {
                let total = |i: usize, s: usize, e: usize| (i.div_ceil(s).saturating_sub(1) * s + e).saturating_sub(i);
                let (th, tw) = (total(h, stride.0, eh), total(w, stride.1, ew));
                ((th / 2, tw / 2), (h + th, w + tw))
            }
            Padding::Explicit(t, b, l, r) => ((t, l), (h + t + b, w + l + r)),
        };
        if padded.0 < eh || padded.1 < ew {
            return Err(TensorError::invalid(
                op,
                format!(
                    "window {}x{} (dilation {:?}) is larger than the padded input {}x{} of shape {input:?}",
                    kernel.0, kernel.1, dilation, padded.0, padded.1
                ),
            ));
        }
        let out = ((padded.0 - eh) / stride.0 + 1, (padded.1 - ew) / stride.1 + 1);
        Ok(Window2d { n, h, w, c, kernel, stride, dilation, pad, out })
    }

    /// Columns of the im2col matrix: `kh * kw * c`.
    pub fn patch_len(&self) -> usize {
        self.kernel.0 * self.kernel.1 * self.c
    }

    /// Rows of the im2col matrix: `n * oh * ow`.
    pub fn rows(&self) -> usize {
        self.n * self.out.0 * self.out.1
    }

    /// The input row / column read by output position `o` and kernel tap `k` on one axis,
    /// or `None` where it falls in the padding.
    #[inline]
    fn src(o: usize, k: usize, stride: usize, dil: usize, pad: usize, len: usize) -> Option<usize> {
        let p = (o * stride + k * dil).checked_sub(pad)?;
        (p < len).then_some(p)
    }
}

/// Rows of work per rayon task in im2col / col2im.
const PAR_IMAGES_MIN_ELEMS: usize = 1 << 16;

impl Tensor {
    /// Unfolds an NHWC tensor into the im2col matrix `[n * oh * ow, kh * kw * c]` (zeros where
    /// the window covers padding).
    ///
    /// # Panics
    /// If the tensor's shape does not match the window's input.
    #[track_caller]
    pub fn im2col(&self, g: &Window2d) -> Tensor {
        ok(self.try_im2col(g))
    }

    /// Fallible [`Tensor::im2col`].
    pub fn try_im2col(&self, g: &Window2d) -> Result<Tensor> {
        check_input("im2col", self.shape(), g)?;
        let x = self.contiguous();
        Ok(with_array!(x, |a| Tensor::from_array(im2col_typed(a.as_slice().expect("contiguous"), g))))
    }

    /// Folds an im2col matrix `[n * oh * ow, kh * kw * c]` back into an NHWC tensor, adding
    /// overlapping contributions (the adjoint of [`Tensor::im2col`]).
    #[track_caller]
    pub fn col2im(&self, g: &Window2d) -> Tensor {
        ok(self.try_col2im(g))
    }

    /// Fallible [`Tensor::col2im`].
    pub fn try_col2im(&self, g: &Window2d) -> Result<Tensor> {
        if self.shape() != [g.rows(), g.patch_len()] {
            return Err(TensorError::shapes(
                "col2im",
                "columns do not match the window",
                self.shape(),
                &[g.rows(), g.patch_len()],
            ));
        }
        let cols = self.contiguous();
        Ok(with_array!(cols, |a| Tensor::from_array(col2im_typed(a.as_slice().expect("contiguous"), g))))
    }
}

fn check_input(op: &'static str, shape: &[usize], g: &Window2d) -> Result<()> {
    if shape != [g.n, g.h, g.w, g.c] {
        return Err(TensorError::shapes(op, "input does not match the window geometry", shape, &[g.n, g.h, g.w, g.c]));
    }
    Ok(())
}

fn im2col_typed<E: Element>(x: &[E], g: &Window2d) -> ArrayD<E> {
    let (oh, ow) = g.out;
    let (kh, kw) = g.kernel;
    let pl = g.patch_len();
    let img = g.h * g.w * g.c;
    let mut out = vec![E::zero(); g.rows() * pl];
    let per_image = oh * ow * pl;
    let fill = |(b, dst): (usize, &mut [E])| {
        let src = &x[b * img..(b + 1) * img];
        for oy in 0..oh {
            for ox in 0..ow {
                let row = &mut dst[(oy * ow + ox) * pl..(oy * ow + ox + 1) * pl];
                for ky in 0..kh {
                    let Some(iy) = Window2d::src(oy, ky, g.stride.0, g.dilation.0, g.pad.0, g.h) else { continue };
                    for kx in 0..kw {
                        let Some(ix) = Window2d::src(ox, kx, g.stride.1, g.dilation.1, g.pad.1, g.w) else { continue };
                        let s = (iy * g.w + ix) * g.c;
                        let d = (ky * kw + kx) * g.c;
                        row[d..d + g.c].copy_from_slice(&src[s..s + g.c]);
                    }
                }
            }
        }
    };
    if per_image > 0 {
        if out.len() >= PAR_IMAGES_MIN_ELEMS {
            out.par_chunks_mut(per_image).enumerate().for_each(fill);
        } else {
            out.chunks_mut(per_image).enumerate().for_each(fill);
        }
    }
    ArrayD::from_shape_vec(IxDyn(&[g.rows(), pl]), out).expect("same size")
}

fn col2im_typed<E: Element>(cols: &[E], g: &Window2d) -> ArrayD<E> {
    let (oh, ow) = g.out;
    let (kh, kw) = g.kernel;
    let pl = g.patch_len();
    let img = g.h * g.w * g.c;
    let mut out = vec![E::zero(); g.n * img];
    let per_image = oh * ow * pl;
    let fold = |(b, dst): (usize, &mut [E])| {
        let src = &cols[b * per_image..(b + 1) * per_image];
        for oy in 0..oh {
            for ox in 0..ow {
                let row = &src[(oy * ow + ox) * pl..(oy * ow + ox + 1) * pl];
                for ky in 0..kh {
                    let Some(iy) = Window2d::src(oy, ky, g.stride.0, g.dilation.0, g.pad.0, g.h) else { continue };
                    for kx in 0..kw {
                        let Some(ix) = Window2d::src(ox, kx, g.stride.1, g.dilation.1, g.pad.1, g.w) else { continue };
                        let d = (iy * g.w + ix) * g.c;
                        let s = (ky * kw + kx) * g.c;
                        for (o, &v) in dst[d..d + g.c].iter_mut().zip(&row[s..s + g.c]) {
                            *o += v;
                        }
                    }
                }
            }
        }
    };
    if img > 0 {
        if out.len() >= PAR_IMAGES_MIN_ELEMS {
            out.par_chunks_mut(img).enumerate().for_each(fold);
        } else {
            out.chunks_mut(img).enumerate().for_each(fold);
        }
    }
    ArrayD::from_shape_vec(IxDyn(&[g.n, g.h, g.w, g.c]), out).expect("same size")
}

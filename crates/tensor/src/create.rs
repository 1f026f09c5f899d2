//! Constructors: zeros, ones, full, from_vec, arange, linspace, eye, scalar.

use ndarray::{ArrayD, Dimension, IxDyn};

use crate::error::{Result, TensorError, ok};
use crate::{DType, Element, Tensor};

impl Tensor {
    /// A tensor of the given shape filled with `value`, of element type `dtype`.
    pub fn full_dtype(shape: &[usize], value: f64, dtype: DType) -> Tensor {
        match dtype {
            DType::F32 => Tensor::from_array(ArrayD::from_elem(IxDyn(shape), value as f32)),
            DType::F64 => Tensor::from_array(ArrayD::from_elem(IxDyn(shape), value)),
        }
    }

    /// An `f32` tensor filled with `value`.
    pub fn full(shape: &[usize], value: f64) -> Tensor {
        Tensor::full_dtype(shape, value, DType::F32)
    }

    /// An `f32` tensor of zeros.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// assert_eq!(Tensor::zeros(&[2, 3]).shape(), &[2, 3]);
    /// ```
    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    /// An `f32` tensor of ones.
    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// Zeros of the given element type.
    pub fn zeros_dtype(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full_dtype(shape, 0.0, dtype)
    }

    /// Zeros with the shape and element type of `self`.
    pub fn zeros_like(&self) -> Tensor {
        Tensor::full_dtype(self.shape(), 0.0, self.dtype())
    }

    /// Ones with the shape and element type of `self`.
    pub fn ones_like(&self) -> Tensor {
        Tensor::full_dtype(self.shape(), 1.0, self.dtype())
    }

    /// `value` with the shape and element type of `self`.
    pub fn full_like(&self, value: f64) -> Tensor {
        Tensor::full_dtype(self.shape(), value, self.dtype())
    }

    /// A zero-dimensional `f32` tensor holding `value`.
    pub fn scalar(value: f64) -> Tensor {
        Tensor::full(&[], value)
    }

    /// A zero-dimensional tensor of the given element type.
    pub fn scalar_dtype(value: f64, dtype: DType) -> Tensor {
        Tensor::full_dtype(&[], value, dtype)
    }

    /// A tensor from row-major data; the element type follows `E`.
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`. See [`Tensor::try_from_vec`].
    #[track_caller]
    pub fn from_vec<E: Element>(data: Vec<E>, shape: &[usize]) -> Tensor {
        ok(Tensor::try_from_vec(data, shape))
    }

    /// A tensor from row-major data, or an error if the length does not match the shape.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let err = Tensor::try_from_vec(vec![1.0f32; 5], &[2, 3]).unwrap_err();
    /// assert_eq!(err.to_string(), "from_vec: 5 values cannot fill shape [2, 3] (6 elements)");
    /// ```
    pub fn try_from_vec<E: Element>(data: Vec<E>, shape: &[usize]) -> Result<Tensor> {
        // A shape from untrusted input (e.g. a corrupt file) may overflow: report it, never panic.
        let too_large = || TensorError::invalid("from_vec", format!("shape {shape:?} is too large for an array"));
        let n = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(too_large)?;
        if data.len() != n {
            return Err(TensorError::invalid(
                "from_vec",
                format!("{} values cannot fill shape {shape:?} ({n} elements)", data.len()),
            ));
        }
        // ndarray also rejects shapes whose nonzero axes multiply past isize::MAX (even with a 0 axis).
        ArrayD::from_shape_vec(IxDyn(shape), data).map(Tensor::from_array).map_err(|_| too_large())
    }

    /// A 1-D tensor from a slice.
    pub fn from_slice<E: Element>(data: &[E]) -> Tensor {
        Tensor::from_vec(data.to_vec(), &[data.len()])
    }

    /// A 1-D `f32` tensor `start, start + step, ...` up to but excluding `end`.
    ///
    /// # Panics
    /// If `step` is zero or not finite.
    #[track_caller]
    pub fn arange(start: f64, end: f64, step: f64) -> Tensor {
        if step == 0.0 || !step.is_finite() {
            panic!("arange: step must be finite and non-zero, got {step}");
        }
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let v: Vec<f32> = (0..n).map(|i| (start + i as f64 * step) as f32).collect();
        Tensor::from_vec(v, &[n])
    }

    /// A 1-D `f32` tensor of `n` evenly spaced values from `start` to `end` inclusive.
    pub fn linspace(start: f64, end: f64, n: usize) -> Tensor {
        let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
        let v: Vec<f32> = (0..n).map(|i| (start + i as f64 * step) as f32).collect();
        Tensor::from_vec(v, &[n])
    }

    /// The `n x n` identity matrix (`f32`).
    pub fn eye(n: usize) -> Tensor {
        Tensor::from_array(ArrayD::from_shape_fn(IxDyn(&[n, n]), |ix| if ix[0] == ix[1] { 1.0f32 } else { 0.0 }))
    }

    /// A tensor computed element by element from its multi-index (`f32`).
    pub fn from_fn(shape: &[usize], f: impl Fn(&[usize]) -> f64) -> Tensor {
        Tensor::from_array(ArrayD::from_shape_fn(IxDyn(shape), |ix| f(ix.slice()) as f32))
    }

    /// A copy of `self` in the element type of `like` (used to build constants matching an operand).
    pub fn cast_like(&self, like: &Tensor) -> Tensor {
        self.to_dtype(like.dtype())
    }

    /// Rebuilds a tensor of the same element type as `self` from `f64` values.
    pub(crate) fn same_dtype_from_f64(&self, data: Vec<f64>, shape: &[usize]) -> Tensor {
        match self.dtype() {
            DType::F32 => Tensor::from_vec(data.into_iter().map(|v| v as f32).collect(), shape),
            DType::F64 => Tensor::from_vec(data, shape),
        }
    }
}

/// The number of elements of a shape (1 for a scalar).
pub fn shape_len(shape: &[usize]) -> usize {
    shape.iter().product()
}

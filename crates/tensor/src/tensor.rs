//! The [`Tensor`] type: an n-dimensional array of `f32` or `f64` with shared, copy-on-write storage.

use std::fmt;

use ndarray::{ArcArray, ArrayD, ArrayViewD, IxDyn};

use crate::error::{Result, TensorError};
use crate::{DType, Element};

/// The storage of a tensor, tagged with its element type.
#[derive(Clone)]
pub(crate) enum Data {
    F32(ArcArray<f32, IxDyn>),
    F64(ArcArray<f64, IxDyn>),
}

/// An n-dimensional array of `f32` (training) or `f64` (gradient checks).
///
/// Cloning a tensor is O(1): the storage is reference counted and copied only when a shared
/// tensor is written to (copy-on-write). Shape operations such as [`Tensor::transpose`],
/// [`Tensor::permute`] and [`Tensor::slice`] return views that share the storage;
/// [`Tensor::matmul`] reads such strided views directly, without copying them.
///
/// Operations come in two forms: the math style (`a.matmul(&b)`, `&a + &b`) panics with a
/// message naming the operation and the shapes, and a `try_` twin (`a.try_matmul(&b)`) returns
/// that message as a [`TensorError`]. Both run the same check.
///
/// ```
/// use kerosene_tensor::Tensor;
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
/// let b = Tensor::from_vec(vec![10.0f32, 20.0, 30.0], &[3]);
/// let y = &x + &b; // broadcasts over rows
/// assert_eq!(y.to_vec::<f32>(), vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
/// assert_eq!(y.sum_all().item(), 141.0);
/// ```
#[derive(Clone)]
pub struct Tensor {
    pub(crate) data: Data,
}

/// Runs `$body` with `$a` bound to the typed array of `$t`, whatever its element type.
/// The body is instantiated once per element type, so it must type-check for both.
macro_rules! with_array {
    ($t:expr, |$a:ident| $body:expr) => {
        match &$t.data {
            $crate::tensor::Data::F32($a) => $body,
            $crate::tensor::Data::F64($a) => $body,
        }
    };
}

/// Like [`with_array!`] for two tensors that must share an element type.
macro_rules! with_arrays {
    ($op:expr, $t:expr, $u:expr, |$a:ident, $b:ident| $body:expr) => {
        match (&$t.data, &$u.data) {
            ($crate::tensor::Data::F32($a), $crate::tensor::Data::F32($b)) => $body,
            ($crate::tensor::Data::F64($a), $crate::tensor::Data::F64($b)) => $body,
            _ => return Err($crate::error::TensorError::DType { op: $op, lhs: $t.dtype(), rhs: $u.dtype() }),
        }
    };
}

pub(crate) use {with_array, with_arrays};

impl Tensor {
    pub(crate) fn from_data(data: Data) -> Tensor {
        crate::memory::keep_freed_memory();
        Tensor { data }
    }

    /// Wraps an ndarray array (any layout) without copying.
    pub fn from_array<E: Element>(a: ArrayD<E>) -> Tensor {
        E::wrap(a.into_shared())
    }

    /// Wraps a shared ndarray array without copying.
    pub fn from_shared<E: Element>(a: ArcArray<E, IxDyn>) -> Tensor {
        E::wrap(a)
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        match &self.data {
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
        }
    }

    /// The shape, e.g. `[32, 784]`.
    pub fn shape(&self) -> &[usize] {
        with_array!(self, |a| a.shape())
    }

    /// The strides in elements (a transposed view has swapped strides).
    pub fn strides(&self) -> &[isize] {
        with_array!(self, |a| a.strides())
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        with_array!(self, |a| a.len())
    }

    /// True if the tensor has no elements (some axis has length 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The length of `axis` (negative counts from the end).
    ///
    /// # Panics
    /// If the axis is out of range.
    pub fn dim(&self, axis: isize) -> usize {
        let ax = crate::error::ok(crate::layout::normalize_axis("dim", axis, self.shape()));
        self.shape()[ax]
    }

    /// True if the elements lie in memory in row-major order without gaps.
    pub fn is_contiguous(&self) -> bool {
        with_array!(self, |a| a.is_standard_layout())
    }

    /// True if this tensor and `other` share the same storage and view (same pointer, shape and strides).
    pub fn same_storage(&self, other: &Tensor) -> bool {
        match (&self.data, &other.data) {
            (Data::F32(a), Data::F32(b)) => {
                a.as_ptr() == b.as_ptr() && a.shape() == b.shape() && a.strides() == b.strides()
            }
            (Data::F64(a), Data::F64(b)) => {
                a.as_ptr() == b.as_ptr() && a.shape() == b.shape() && a.strides() == b.strides()
            }
            _ => false,
        }
    }

    /// Borrows the typed ndarray array, or `None` if the element type differs.
    pub fn array<E: Element>(&self) -> Option<&ArcArray<E, IxDyn>> {
        E::array_of(self)
    }

    /// A typed ndarray view.
    ///
    /// # Panics
    /// If `E` is not the tensor's element type.
    #[track_caller]
    pub fn view<E: Element>(&self) -> ArrayViewD<'_, E> {
        match E::array_of(self) {
            Some(a) => a.view(),
            None => panic!("view: tensor holds {}, asked for {}", self.dtype(), E::DTYPE),
        }
    }

    /// The elements as a slice if the tensor is contiguous and holds `E`.
    pub fn as_slice<E: Element>(&self) -> Option<&[E]> {
        E::array_of(self).and_then(|a| a.as_slice())
    }

    /// The elements as a mutable slice if the tensor is contiguous and holds `E`.
    /// Shared storage is copied first (copy-on-write), so other clones never see the change.
    pub fn as_slice_mut<E: Element>(&mut self) -> Option<&mut [E]> {
        E::array_of_mut(self).and_then(|a| a.as_slice_mut())
    }

    /// The typed array, mutably; shared storage is copied first when written through.
    pub fn array_mut<E: Element>(&mut self) -> Option<&mut ArcArray<E, IxDyn>> {
        E::array_of_mut(self)
    }

    /// A contiguous (row-major) tensor with the same values: `self` if already contiguous, else a copy.
    pub fn contiguous(&self) -> Tensor {
        if self.is_contiguous() {
            return self.clone();
        }
        with_array!(self, |a| Tensor::from_array(a.as_standard_layout().into_owned()))
    }

    /// A contiguous tensor whose storage is not shared with any other tensor, so that
    /// [`Tensor::as_slice_mut`] writes in place without a copy.
    pub fn into_unique(self) -> Tensor {
        let mut t = self.contiguous();
        with_array_mut(&mut t);
        t
    }

    /// The elements in row-major order, converted to `E`.
    pub fn to_vec<E: Element>(&self) -> Vec<E> {
        with_array!(self, |a| a.iter().map(|&v| E::of(v.f64())).collect())
    }

    /// The elements in row-major order as `f64`.
    pub fn to_vec_f64(&self) -> Vec<f64> {
        self.to_vec::<f64>()
    }

    /// The value of a one-element tensor as `f64`.
    ///
    /// # Panics
    /// If the tensor does not hold exactly one element.
    #[track_caller]
    pub fn item(&self) -> f64 {
        crate::error::ok(self.try_item())
    }

    /// The value of a one-element tensor, or an error naming its shape.
    pub fn try_item(&self) -> Result<f64> {
        if self.len() != 1 {
            return Err(TensorError::invalid(
                "item",
                format!("expected a tensor with one element, got shape {:?}", self.shape()),
            ));
        }
        Ok(with_array!(self, |a| a.iter().next().unwrap().f64()))
    }

    /// The element at a multi-index, as `f64`.
    ///
    /// # Panics
    /// If the index has the wrong length or is out of bounds.
    #[track_caller]
    pub fn at(&self, index: &[usize]) -> f64 {
        let shape = self.shape();
        if index.len() != shape.len() || index.iter().zip(shape).any(|(i, n)| i >= n) {
            panic!("at: index {index:?} is out of bounds for shape {shape:?}");
        }
        with_array!(self, |a| a[IxDyn(index)].f64())
    }

    /// Converts to another element type (a copy unless the type already matches).
    pub fn to_dtype(&self, dtype: DType) -> Tensor {
        if self.dtype() == dtype {
            return self.clone();
        }
        match dtype {
            DType::F32 => with_array!(self, |a| Tensor::from_array(a.mapv(|v| v.f64() as f32))),
            DType::F64 => with_array!(self, |a| Tensor::from_array(a.mapv(|v| v.f64()))),
        }
    }

    /// Shorthand for `to_dtype(DType::F64)`.
    pub fn to_f64(&self) -> Tensor {
        self.to_dtype(DType::F64)
    }

    /// Shorthand for `to_dtype(DType::F32)`.
    pub fn to_f32(&self) -> Tensor {
        self.to_dtype(DType::F32)
    }

    /// True if both tensors have the same shape and every pair of elements satisfies
    /// `|a - b| <= atol + rtol * |b|` (NaN never matches).
    pub fn allclose(&self, other: &Tensor, rtol: f64, atol: f64) -> bool {
        if self.shape() != other.shape() {
            return false;
        }
        let (a, b) = (self.to_vec_f64(), other.to_vec_f64());
        a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= atol + rtol * y.abs())
    }

    /// The largest absolute elementwise difference (infinite if the shapes differ or a NaN occurs).
    pub fn max_abs_diff(&self, other: &Tensor) -> f64 {
        if self.shape() != other.shape() {
            return f64::INFINITY;
        }
        let (a, b) = (self.to_vec_f64(), other.to_vec_f64());
        a.iter().zip(&b).fold(0.0, |m, (x, y)| {
            let d = (x - y).abs();
            if d.is_nan() { f64::INFINITY } else { m.max(d) }
        })
    }

    /// True if every element is finite (no NaN or infinity).
    pub fn all_finite(&self) -> bool {
        with_array!(self, |a| a.iter().all(|v| v.is_finite()))
    }
}

fn with_array_mut(t: &mut Tensor) {
    match &mut t.data {
        Data::F32(a) => {
            let _ = a.as_slice_mut();
        }
        Data::F64(a) => {
            let _ = a.as_slice_mut();
        }
    }
}

/// Two tensors are equal if they have the same element type, shape and values (NaN != NaN).
impl PartialEq for Tensor {
    fn eq(&self, other: &Tensor) -> bool {
        match (&self.data, &other.data) {
            (Data::F32(a), Data::F32(b)) => a == b,
            (Data::F64(a), Data::F64(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor({}, shape={:?}, ", self.dtype(), self.shape())?;
        with_array!(self, |a| write!(f, "{a:.4}"))?;
        write!(f, ")")
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        with_array!(self, |a| fmt::Display::fmt(a, f))
    }
}

impl<E: Element> From<ArrayD<E>> for Tensor {
    fn from(a: ArrayD<E>) -> Tensor {
        Tensor::from_array(a)
    }
}

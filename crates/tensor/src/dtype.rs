//! Element types: [`DType`] names them at run time, [`Element`] is the compile-time side.

use std::fmt::{Debug, Display};

use ndarray::{ArcArray, IxDyn};
use num_traits::Float;
use serde::{Deserialize, Serialize};

use crate::tensor::{Data, Tensor};

/// The element type of a [`Tensor`], known at run time.
///
/// Training runs in `F32`; `F64` exists for gradient checks and for users who need the precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DType {
    /// 32-bit IEEE float, the training type.
    F32,
    /// 64-bit IEEE float, used by gradient checks.
    F64,
}

impl DType {
    /// Size of one element in bytes.
    pub fn size_of(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
        }
    }
}

impl Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        })
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A Rust element type a [`Tensor`] can hold: `f32` or `f64` (sealed).
///
/// Generic code over tensors is written once for `E: Element` and dispatched on [`Tensor::dtype`].
pub trait Element:
    Float
    + sealed::Sealed
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + 'static
    + ndarray::ScalarOperand
    + ndarray::LinalgScalar
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + std::ops::DivAssign
{
    /// The run-time tag of this type.
    const DTYPE: DType;
    /// Wraps an array of this type into a tensor.
    fn wrap(a: ArcArray<Self, IxDyn>) -> Tensor;
    /// Borrows the array of a tensor if it holds this type.
    fn array_of(t: &Tensor) -> Option<&ArcArray<Self, IxDyn>>;
    /// Mutably borrows the array of a tensor if it holds this type.
    fn array_of_mut(t: &mut Tensor) -> Option<&mut ArcArray<Self, IxDyn>>;
    /// Lossy conversion from `f64` (for scalars given as `f64` in the API).
    fn of(x: f64) -> Self;
    /// Widening conversion to `f64`.
    fn f64(self) -> f64;
}

impl Element for f32 {
    const DTYPE: DType = DType::F32;
    fn wrap(a: ArcArray<f32, IxDyn>) -> Tensor {
        Tensor::from_data(Data::F32(a))
    }
    fn array_of(t: &Tensor) -> Option<&ArcArray<f32, IxDyn>> {
        match &t.data {
            Data::F32(a) => Some(a),
            _ => None,
        }
    }
    fn array_of_mut(t: &mut Tensor) -> Option<&mut ArcArray<f32, IxDyn>> {
        match &mut t.data {
            Data::F32(a) => Some(a),
            _ => None,
        }
    }
    fn of(x: f64) -> f32 {
        x as f32
    }
    fn f64(self) -> f64 {
        self as f64
    }
}

impl Element for f64 {
    const DTYPE: DType = DType::F64;
    fn wrap(a: ArcArray<f64, IxDyn>) -> Tensor {
        Tensor::from_data(Data::F64(a))
    }
    fn array_of(t: &Tensor) -> Option<&ArcArray<f64, IxDyn>> {
        match &t.data {
            Data::F64(a) => Some(a),
            _ => None,
        }
    }
    fn array_of_mut(t: &mut Tensor) -> Option<&mut ArcArray<f64, IxDyn>> {
        match &mut t.data {
            Data::F64(a) => Some(a),
            _ => None,
        }
    }
    fn of(x: f64) -> f64 {
        x
    }
    fn f64(self) -> f64 {
        self
    }
}

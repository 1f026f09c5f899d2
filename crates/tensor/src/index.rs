//! Indexing: index_select / gather (forward of embeddings and label picks), index_add /
//! scatter_add (their backward), one_hot.
//!
//! Index tensors hold integers coded in the float element type (as Keras accepts float label
//! arrays); every index is checked to be a whole number in range, and a bad one is reported with
//! its position.

use ndarray::{ArrayD, Axis, Dimension, IxDyn};

use crate::error::{Result, TensorError, ok};
use crate::layout::normalize_axis;
use crate::tensor::with_array;
use crate::{Element, Tensor};

/// Reads a float-coded index tensor as `usize`s, each checked to be an integer in `0..bound`.
///
/// ```
/// use kerosene_tensor::{Tensor, indices_in_range};
/// let y = Tensor::from_vec(vec![0.0f32, 2.0, 7.0], &[3]);
/// let err = indices_in_range("one_hot", &y, 3).unwrap_err();
/// assert_eq!(err.to_string(), "one_hot: index 7 at position [2] is out of range 0..3");
/// ```
pub fn indices_in_range(op: &'static str, index: &Tensor, bound: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(index.len());
    let shape = index.shape().to_vec();
    let check = |i: usize, v: f64| -> Result<usize> {
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && (v as usize) < bound {
            Ok(v as usize)
        } else {
            let pos = unravel(i, &shape);
            let what =
                if v.is_finite() && v.fract() == 0.0 { "is out of range" } else { "is not a whole number in range" };
            Err(TensorError::invalid(op, format!("index {v} at position {pos:?} {what} 0..{bound}")))
        }
    };
    with_array!(index, |a| {
        for (i, &v) in a.iter().enumerate() {
            out.push(check(i, v.f64())?);
        }
    });
    Ok(out)
}

/// The multi-index of the `i`-th element in row-major order.
pub fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut pos = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        let n = shape[d].max(1);
        pos[d] = i % n;
        i /= n;
    }
    pos
}

impl Tensor {
    /// Picks the slices at `indices` along `axis` (an embedding lookup on axis 0).
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let t = Tensor::from_vec(vec![0.0f32, 1.0, 10.0, 11.0, 20.0, 21.0], &[3, 2]);
    /// assert_eq!(t.index_select(0, &[2, 0]).to_vec::<f32>(), vec![20.0, 21.0, 0.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// If the axis or an index is out of range.
    #[track_caller]
    pub fn index_select(&self, axis: isize, indices: &[usize]) -> Tensor {
        ok(self.try_index_select(axis, indices))
    }

    /// Fallible [`Tensor::index_select`].
    pub fn try_index_select(&self, axis: isize, indices: &[usize]) -> Result<Tensor> {
        let ax = normalize_axis("index_select", axis, self.shape())?;
        let len = self.shape()[ax];
        if let Some((pos, &i)) = indices.iter().enumerate().find(|&(_, &i)| i >= len) {
            return Err(TensorError::invalid(
                "index_select",
                format!("index {i} at position [{pos}] is out of range for axis {ax} of shape {:?}", self.shape()),
            ));
        }
        Ok(with_array!(self, |a| {
            if ax == 0 && a.is_standard_layout() {
                // Row gather by memcpy: the batch-assembly and embedding hot path.
                let row: usize = a.shape()[1..].iter().product();
                let src = a.as_slice().expect("standard layout");
                let mut v = Vec::with_capacity(indices.len() * row);
                for &i in indices {
                    v.extend_from_slice(&src[i * row..(i + 1) * row]);
                }
                let mut shape = a.shape().to_vec();
                shape[0] = indices.len();
                Tensor::from_array(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("same size"))
            } else {
                Tensor::from_array(a.select(Axis(ax), indices))
            }
        }))
    }

    /// The backward of [`Tensor::index_select`]: a zero tensor whose `axis` has length `dim_size`,
    /// with slice `i` of `self` added at position `indices[i]` (repeated indices accumulate).
    #[track_caller]
    pub fn index_add(&self, axis: isize, indices: &[usize], dim_size: usize) -> Tensor {
        ok(self.try_index_add(axis, indices, dim_size))
    }

    /// Fallible [`Tensor::index_add`].
    pub fn try_index_add(&self, axis: isize, indices: &[usize], dim_size: usize) -> Result<Tensor> {
        let ax = normalize_axis("index_add", axis, self.shape())?;
        if indices.len() != self.shape()[ax] {
            return Err(TensorError::invalid(
                "index_add",
                format!("{} indices for axis {ax} of shape {:?}", indices.len(), self.shape()),
            ));
        }
        if let Some((pos, &i)) = indices.iter().enumerate().find(|&(_, &i)| i >= dim_size) {
            return Err(TensorError::invalid(
                "index_add",
                format!("index {i} at position [{pos}] is out of range 0..{dim_size}"),
            ));
        }
        let mut shape = self.shape().to_vec();
        shape[ax] = dim_size;
        Ok(with_array!(self, |a| {
            let mut out = ArrayD::zeros(IxDyn(&shape));
            for (src, &i) in a.axis_iter(Axis(ax)).zip(indices) {
                let mut dst = out.index_axis_mut(Axis(ax), i);
                dst += &src;
            }
            Tensor::from_array(out)
        }))
    }

    /// `out[.., i, ..] = self[.., index[.., i, ..], ..]` along `axis` (PyTorch `gather`):
    /// `index` has the rank of `self`, and the output has the shape of `index`.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let p = Tensor::from_vec(vec![0.1f32, 0.9, 0.8, 0.2], &[2, 2]);
    /// let y = Tensor::from_vec(vec![1.0f32, 0.0], &[2, 1]);
    /// assert_eq!(p.gather(1, &y).to_vec::<f32>(), vec![0.9, 0.8]);
    /// ```
    #[track_caller]
    pub fn gather(&self, axis: isize, index: &Tensor) -> Tensor {
        ok(self.try_gather(axis, index))
    }

    /// Fallible [`Tensor::gather`].
    pub fn try_gather(&self, axis: isize, index: &Tensor) -> Result<Tensor> {
        let ax = normalize_axis("gather", axis, self.shape())?;
        check_index_shape("gather", self.shape(), index.shape(), ax)?;
        let idx = indices_in_range("gather", index, self.shape()[ax])?;
        Ok(with_array!(self, |a| {
            let ishape = index.shape().to_vec();
            let mut out = ArrayD::zeros(IxDyn(&ishape));
            for ((pos, o), &k) in out.indexed_iter_mut().zip(&idx) {
                let mut src = pos.slice().to_vec();
                src[ax] = k;
                *o = a[IxDyn(&src)];
            }
            Tensor::from_array(out)
        }))
    }

    /// The backward of [`Tensor::gather`]: zeros of `shape` with `self[pos]` added at `pos`
    /// with its `axis` coordinate replaced by `index[pos]` (PyTorch `scatter_add`).
    #[track_caller]
    pub fn scatter_add(&self, axis: isize, index: &Tensor, shape: &[usize]) -> Tensor {
        ok(self.try_scatter_add(axis, index, shape))
    }

    /// Fallible [`Tensor::scatter_add`].
    pub fn try_scatter_add(&self, axis: isize, index: &Tensor, shape: &[usize]) -> Result<Tensor> {
        let ax = normalize_axis("scatter_add", axis, shape)?;
        if index.shape() != self.shape() {
            return Err(TensorError::shapes(
                "scatter_add",
                "index and source shapes differ",
                index.shape(),
                self.shape(),
            ));
        }
        check_index_shape("scatter_add", shape, index.shape(), ax)?;
        let idx = indices_in_range("scatter_add", index, shape[ax])?;
        fn scatter<E: Element>(a: &ndarray::ArcArray<E, IxDyn>, idx: &[usize], ax: usize, shape: &[usize]) -> Tensor {
            let mut out = ArrayD::<E>::zeros(IxDyn(shape));
            for ((pos, &v), &k) in a.indexed_iter().zip(idx) {
                let mut dst = pos.slice().to_vec();
                dst[ax] = k;
                out[IxDyn(&dst)] += v;
            }
            Tensor::from_array(out)
        }
        Ok(with_array!(self, |a| scatter(a, &idx, ax, shape)))
    }

    /// One-hot encoding: a tensor of shape `self.shape() + [num_classes]`, of `self`'s element type.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let y = Tensor::from_vec(vec![2.0f32, 0.0], &[2]);
    /// assert_eq!(y.one_hot(3).to_vec::<f32>(), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// If a label is not a whole number in `0..num_classes`; see [`Tensor::try_one_hot`].
    #[track_caller]
    pub fn one_hot(&self, num_classes: usize) -> Tensor {
        ok(self.try_one_hot(num_classes))
    }

    /// Fallible [`Tensor::one_hot`].
    pub fn try_one_hot(&self, num_classes: usize) -> Result<Tensor> {
        let idx = indices_in_range("one_hot", self, num_classes)?;
        let mut shape = self.shape().to_vec();
        shape.push(num_classes);
        let mut v = vec![0.0f64; idx.len() * num_classes];
        for (r, &k) in idx.iter().enumerate() {
            v[r * num_classes + k] = 1.0;
        }
        Ok(self.same_dtype_from_f64(v, &shape))
    }
}

fn check_index_shape(op: &'static str, shape: &[usize], ishape: &[usize], ax: usize) -> Result<()> {
    let fits = ishape.len() == shape.len() && ishape.iter().zip(shape).enumerate().all(|(i, (a, b))| i == ax || a <= b);
    if fits {
        Ok(())
    } else {
        Err(TensorError::shapes(op, format!("index shape does not fit outside axis {ax}"), shape, ishape))
    }
}

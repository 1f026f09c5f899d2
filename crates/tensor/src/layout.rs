//! Shape operations: reshape, transpose / permute, slice, concat, stack, split, squeeze /
//! unsqueeze, broadcast_to. Views share storage wherever ndarray allows.

use ndarray::{ArcArray, Axis, IxDyn, Slice};

use crate::error::{Result, TensorError, ok};
use crate::tensor::{Data, with_array};
use crate::{Element, Tensor};

/// Resolves a possibly negative axis against a shape.
pub fn normalize_axis(op: &'static str, axis: isize, shape: &[usize]) -> Result<usize> {
    let n = shape.len() as isize;
    let a = if axis < 0 { axis + n } else { axis };
    if a < 0 || a >= n {
        return Err(TensorError::Axis { op, axis, shape: shape.into() });
    }
    Ok(a as usize)
}

/// Resolves a list of axes (negative allowed), sorted and without duplicates.
pub fn normalize_axes(op: &'static str, axes: &[isize], shape: &[usize]) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let a = normalize_axis(op, a, shape)?;
        if out.contains(&a) {
            return Err(TensorError::invalid(op, format!("axis {a} is repeated in {axes:?}")));
        }
        out.push(a);
    }
    out.sort_unstable();
    Ok(out)
}

/// The NumPy broadcast of two shapes, or an error naming the op and both shapes.
///
/// ```
/// use kerosene_tensor::broadcast_shapes;
/// assert_eq!(broadcast_shapes("add", &[32, 1, 4], &[5, 4]).unwrap(), vec![32, 5, 4]);
/// assert!(broadcast_shapes("add", &[3], &[4]).is_err());
/// ```
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(TensorError::Shapes {
                op,
                reason: "shapes cannot be broadcast together".into(),
                lhs: a.into(),
                rhs: b.into(),
                detail: format!(" (axis {i}: {da} vs {db})"),
            });
        };
    }
    Ok(out)
}

fn map_arc<F32, F64>(t: &Tensor, f32f: F32, f64f: F64) -> Tensor
where
    F32: FnOnce(ArcArray<f32, IxDyn>) -> ArcArray<f32, IxDyn>,
    F64: FnOnce(ArcArray<f64, IxDyn>) -> ArcArray<f64, IxDyn>,
{
    match &t.data {
        Data::F32(a) => Tensor::from_shared(f32f(a.clone())),
        Data::F64(a) => Tensor::from_shared(f64f(a.clone())),
    }
}

/// Reshape of a typed shared array: a view when contiguous, else a copy.
fn reshape_arc<E: Element>(a: ArcArray<E, IxDyn>, shape: &[usize]) -> ArcArray<E, IxDyn> {
    if a.is_standard_layout() {
        a.into_shape_with_order(IxDyn(shape)).expect("reshape: size checked")
    } else {
        a.as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(shape))
            .expect("reshape: size checked")
            .into_shared()
    }
}

impl Tensor {
    /// The same elements in a new shape (row-major order). One entry may be `-1` to be inferred.
    /// A contiguous tensor is reshaped without a copy.
    ///
    /// # Panics
    /// If the element counts differ. See [`Tensor::try_reshape`].
    #[track_caller]
    pub fn reshape(&self, shape: &[isize]) -> Tensor {
        ok(self.try_reshape(shape))
    }

    /// Fallible [`Tensor::reshape`].
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let t = Tensor::zeros(&[2, 3]);
    /// assert_eq!(t.reshape(&[3, -1]).shape(), &[3, 2]);
    /// assert_eq!(
    ///     t.try_reshape(&[4, 2]).unwrap_err().to_string(),
    ///     "reshape: cannot reshape [2, 3] (6 elements) into [4, 2] (8 elements)"
    /// );
    /// ```
    pub fn try_reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let shape = self.resolve_shape(shape)?;
        Ok(map_arc(self, |a| reshape_arc(a, &shape), |a| reshape_arc(a, &shape)))
    }

    /// [`Tensor::reshape`] with a `usize` shape (no inference).
    #[track_caller]
    pub fn reshape_to(&self, shape: &[usize]) -> Tensor {
        let s: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
        self.reshape(&s)
    }

    fn resolve_shape(&self, shape: &[isize]) -> Result<Vec<usize>> {
        let n = self.len();
        let infer: Vec<usize> = (0..shape.len()).filter(|&i| shape[i] == -1).collect();
        let bad = shape.iter().any(|&d| d < -1) || infer.len() > 1;
        let known: usize = shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).product();
        let err = || {
            let shown: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            let want = if infer.is_empty() {
                format!("{known} elements")
            } else {
                "a multiple of ".to_string() + &known.to_string()
            };
            TensorError::invalid(
                "reshape",
                format!("cannot reshape {:?} ({n} elements) into [{}] ({want})", self.shape(), shown.join(", ")),
            )
        };
        if bad {
            return Err(err());
        }
        let mut out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
        if let Some(&i) = infer.first() {
            if known == 0 || !n.is_multiple_of(known) {
                return Err(err());
            }
            out[i] = n / known;
        } else if known != n {
            return Err(err());
        }
        Ok(out)
    }

    /// Collapses all axes into one.
    pub fn flatten_all(&self) -> Tensor {
        self.reshape(&[-1])
    }

    /// Keeps axis 0 and collapses the rest: `[N, d1, d2, ...] -> [N, d1 * d2 * ...]` (Keras `Flatten`).
    ///
    /// # Panics
    /// If the tensor is 0-dimensional.
    #[track_caller]
    pub fn flatten_batch(&self) -> Tensor {
        if self.ndim() == 0 {
            panic!("flatten_batch: needs at least one axis, got a scalar");
        }
        let n = self.shape()[0] as isize;
        let rest: usize = self.shape()[1..].iter().product();
        self.reshape(&[n, rest as isize])
    }

    /// Reorders the axes: output axis `i` is input axis `axes[i]`. A view, no copy.
    ///
    /// # Panics
    /// If `axes` is not a permutation of `0..ndim`.
    #[track_caller]
    pub fn permute(&self, axes: &[usize]) -> Tensor {
        ok(self.try_permute(axes))
    }

    /// Fallible [`Tensor::permute`].
    pub fn try_permute(&self, axes: &[usize]) -> Result<Tensor> {
        let n = self.ndim();
        let mut seen = vec![false; n];
        if axes.len() != n || axes.iter().any(|&a| a >= n || std::mem::replace(&mut seen[a], true)) {
            return Err(TensorError::invalid(
                "permute",
                format!("{axes:?} is not a permutation of the axes of a tensor of shape {:?}", self.shape()),
            ));
        }
        Ok(map_arc(self, |a| a.permuted_axes(IxDyn(axes)), |a| a.permuted_axes(IxDyn(axes))))
    }

    /// Swaps two axes (negative counts from the end). A view, no copy.
    #[track_caller]
    pub fn transpose(&self, a0: isize, a1: isize) -> Tensor {
        ok(self.try_transpose(a0, a1))
    }

    /// Fallible [`Tensor::transpose`].
    pub fn try_transpose(&self, a0: isize, a1: isize) -> Result<Tensor> {
        let i = normalize_axis("transpose", a0, self.shape())?;
        let j = normalize_axis("transpose", a1, self.shape())?;
        let mut axes: Vec<usize> = (0..self.ndim()).collect();
        axes.swap(i, j);
        self.try_permute(&axes)
    }

    /// Swaps the last two axes (the matrix transpose); a 1-D tensor is returned as is. A view.
    pub fn t(&self) -> Tensor {
        if self.ndim() < 2 { self.clone() } else { self.transpose(-2, -1) }
    }

    /// Elements `start, start + step, ...` below `end` along `axis`. A view, no copy.
    /// `end` is clamped to the axis length.
    ///
    /// # Panics
    /// If the axis is out of range, `step` is 0 or `start > end`.
    #[track_caller]
    pub fn slice(&self, axis: isize, start: usize, end: usize, step: usize) -> Tensor {
        ok(self.try_slice(axis, start, end, step))
    }

    /// Fallible [`Tensor::slice`].
    pub fn try_slice(&self, axis: isize, start: usize, end: usize, step: usize) -> Result<Tensor> {
        let ax = normalize_axis("slice", axis, self.shape())?;
        let len = self.shape()[ax];
        let end = end.min(len);
        if step == 0 || start > end {
            return Err(TensorError::invalid(
                "slice",
                format!("invalid range {start}..{end} step {step} on axis {ax} of shape {:?}", self.shape()),
            ));
        }
        let s = Slice::new(start as isize, Some(end as isize), step as isize);
        Ok(map_arc(
            self,
            |mut a| {
                a.slice_axis_inplace(Axis(ax), s);
                a
            },
            |mut a| {
                a.slice_axis_inplace(Axis(ax), s);
                a
            },
        ))
    }

    /// The sub-tensor at `index` along `axis`, with that axis removed. A view.
    #[track_caller]
    pub fn select(&self, axis: isize, index: usize) -> Tensor {
        let ax = ok(normalize_axis("select", axis, self.shape()));
        if index >= self.shape()[ax] {
            panic!("select: index {index} is out of range for axis {ax} of shape {:?}", self.shape());
        }
        map_arc(self, |a| a.index_axis_move(Axis(ax), index), |a| a.index_axis_move(Axis(ax), index))
    }

    /// Inserts an axis of length 1 at `axis` (`-1` appends). A view.
    #[track_caller]
    pub fn unsqueeze(&self, axis: isize) -> Tensor {
        let n = self.ndim() as isize + 1;
        let a = if axis < 0 { axis + n } else { axis };
        if a < 0 || a >= n {
            panic!("unsqueeze: axis {axis} is out of range for a tensor of shape {:?}", self.shape());
        }
        let a = a as usize;
        map_arc(self, |x| x.insert_axis(Axis(a)), |x| x.insert_axis(Axis(a)))
    }

    /// Removes the given axes, which must have length 1; with `None`, removes every length-1 axis.
    ///
    /// # Panics
    /// If a named axis does not have length 1.
    #[track_caller]
    pub fn squeeze(&self, axis: Option<isize>) -> Tensor {
        let shape = self.shape();
        let drop: Vec<usize> = match axis {
            None => (0..shape.len()).filter(|&i| shape[i] == 1).collect(),
            Some(ax) => {
                let a = ok(normalize_axis("squeeze", ax, shape));
                if shape[a] != 1 {
                    panic!("squeeze: axis {a} of shape {shape:?} has length {}, not 1", shape[a]);
                }
                vec![a]
            }
        };
        // Removing length-1 axes one by one (from the last) is a view for any strides; a reshape
        // would fail on strided views.
        fn remove<E: Element>(mut x: ArcArray<E, IxDyn>, drop: &[usize]) -> ArcArray<E, IxDyn> {
            for &a in drop.iter().rev() {
                x = x.index_axis_move(Axis(a), 0);
            }
            x
        }
        map_arc(self, |x| remove(x, &drop), |x| remove(x, &drop))
    }

    /// Materializes the NumPy broadcast of `self` to `shape` (a copy).
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor {
        ok(self.try_broadcast_to(shape))
    }

    /// Fallible [`Tensor::broadcast_to`].
    pub fn try_broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        let full = broadcast_shapes("broadcast_to", self.shape(), shape)?;
        if full != shape {
            return Err(TensorError::shapes("broadcast_to", "cannot broadcast", self.shape(), shape));
        }
        Ok(with_array!(self, |a| Tensor::from_array(a.broadcast(IxDyn(shape)).expect("checked").to_owned())))
    }

    /// Joins tensors along an existing axis. All other axes must agree.
    ///
    /// # Panics
    /// On an empty list, mixed element types or mismatched shapes. See [`Tensor::try_concat`].
    #[track_caller]
    pub fn concat(tensors: &[&Tensor], axis: isize) -> Tensor {
        ok(Tensor::try_concat(tensors, axis))
    }

    /// Fallible [`Tensor::concat`].
    pub fn try_concat(tensors: &[&Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or_else(|| TensorError::invalid("concat", "needs at least one tensor"))?;
        let ax = normalize_axis("concat", axis, first.shape())?;
        for t in &tensors[1..] {
            if t.dtype() != first.dtype() {
                return Err(TensorError::DType { op: "concat", lhs: first.dtype(), rhs: t.dtype() });
            }
            let ok_shape = t.ndim() == first.ndim()
                && t.shape().iter().zip(first.shape()).enumerate().all(|(i, (a, b))| i == ax || a == b);
            if !ok_shape {
                return Err(TensorError::shapes(
                    "concat",
                    format!("shapes differ outside axis {ax}"),
                    first.shape(),
                    t.shape(),
                ));
            }
        }
        Ok(match first.dtype() {
            crate::DType::F32 => concat_typed::<f32>(tensors, ax),
            crate::DType::F64 => concat_typed::<f64>(tensors, ax),
        })
    }

    /// Joins tensors of equal shape along a new axis.
    #[track_caller]
    pub fn stack(tensors: &[&Tensor], axis: isize) -> Tensor {
        ok(Tensor::try_stack(tensors, axis))
    }

    /// Fallible [`Tensor::stack`].
    pub fn try_stack(tensors: &[&Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or_else(|| TensorError::invalid("stack", "needs at least one tensor"))?;
        for t in &tensors[1..] {
            if t.shape() != first.shape() {
                return Err(TensorError::shapes(
                    "stack",
                    "all tensors must have the same shape",
                    first.shape(),
                    t.shape(),
                ));
            }
        }
        let n = first.ndim() as isize + 1;
        let a = if axis < 0 { axis + n } else { axis };
        if a < 0 || a >= n {
            return Err(TensorError::Axis { op: "stack", axis, shape: first.shape().into() });
        }
        let expanded: Vec<Tensor> = tensors.iter().map(|t| t.unsqueeze(a)).collect();
        let refs: Vec<&Tensor> = expanded.iter().collect();
        Tensor::try_concat(&refs, a)
    }

    /// Splits along `axis` into pieces of the given sizes (views). The sizes must add up to the axis length.
    #[track_caller]
    pub fn split(&self, sizes: &[usize], axis: isize) -> Vec<Tensor> {
        ok(self.try_split(sizes, axis))
    }

    /// Fallible [`Tensor::split`].
    pub fn try_split(&self, sizes: &[usize], axis: isize) -> Result<Vec<Tensor>> {
        let ax = normalize_axis("split", axis, self.shape())?;
        let total: usize = sizes.iter().sum();
        if total != self.shape()[ax] {
            return Err(TensorError::invalid(
                "split",
                format!(
                    "sizes {sizes:?} add up to {total}, but axis {ax} of shape {:?} has length {}",
                    self.shape(),
                    self.shape()[ax]
                ),
            ));
        }
        let mut start = 0;
        Ok(sizes
            .iter()
            .map(|&s| {
                let t = self.slice(ax as isize, start, start + s, 1);
                start += s;
                t
            })
            .collect())
    }

    /// Splits along `axis` into `n` equal pieces.
    ///
    /// # Panics
    /// If the axis length is not divisible by `n`.
    #[track_caller]
    pub fn chunk(&self, n: usize, axis: isize) -> Vec<Tensor> {
        let ax = ok(normalize_axis("chunk", axis, self.shape()));
        let len = self.shape()[ax];
        if n == 0 || !len.is_multiple_of(n) {
            panic!("chunk: axis {ax} of shape {:?} (length {len}) cannot be split into {n} equal pieces", self.shape());
        }
        self.split(&vec![len / n; n], axis)
    }
}

fn concat_typed<E: Element>(tensors: &[&Tensor], ax: usize) -> Tensor {
    let views: Vec<_> = tensors.iter().map(|t| t.view::<E>()).collect();
    Tensor::from_array(ndarray::concatenate(Axis(ax), &views).expect("shapes checked"))
}

//! Reductions along axes (sum, mean, max, min, argmax, argmin, var), the numerically stable
//! softmax family, and [`Tensor::sum_to_shape`], the adjoint of broadcasting.

use ndarray::{ArcArray, ArrayD, Axis, IxDyn};

use crate::error::{Result, TensorError, ok};
use crate::layout::{broadcast_shapes, normalize_axes, normalize_axis};
use crate::tensor::with_array;
use crate::{Element, Tensor};

fn keep_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape.iter().enumerate().map(|(i, &d)| if axes.contains(&i) { 1 } else { d }).collect()
}

/// Reduces `axes` (sorted, unique) one by one from the last, then restores them as length 1 if `keepdims`.
fn reduce_typed<E: Element>(
    a: &ArcArray<E, IxDyn>,
    axes: &[usize],
    keepdims: bool,
    f: impl Fn(&ndarray::ArrayViewD<E>, Axis) -> ArrayD<E>,
) -> ArrayD<E> {
    let mut cur: ArrayD<E> = if axes.is_empty() { a.to_owned() } else { f(&a.view(), Axis(*axes.last().unwrap())) };
    for &ax in axes.iter().rev().skip(1) {
        cur = f(&cur.view(), Axis(ax));
    }
    if keepdims {
        let shape = keep_shape(a.shape(), axes);
        cur.into_shape_with_order(IxDyn(&shape)).expect("same size")
    } else {
        cur
    }
}

fn max_fold<E: Element>(v: &ndarray::ArrayViewD<E>, ax: Axis) -> ArrayD<E> {
    v.fold_axis(ax, E::neg_infinity(), |&m, &x| {
        if x > m || x.is_nan() || m.is_nan() { if m.is_nan() { m } else { x } } else { m }
    })
}

fn min_fold<E: Element>(v: &ndarray::ArrayViewD<E>, ax: Axis) -> ArrayD<E> {
    v.fold_axis(
        ax,
        E::infinity(),
        |&m, &x| if x < m || x.is_nan() || m.is_nan() { if m.is_nan() { m } else { x } } else { m },
    )
}

impl Tensor {
    /// Sum over `axes` (negative allowed); `keepdims` keeps them as length 1.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    /// assert_eq!(t.sum(&[0], false).to_vec::<f32>(), vec![5.0, 7.0, 9.0]);
    /// assert_eq!(t.sum(&[-1], true).shape(), &[2, 1]);
    /// ```
    ///
    /// # Panics
    /// If an axis is out of range or repeated.
    #[track_caller]
    pub fn sum(&self, axes: &[isize], keepdims: bool) -> Tensor {
        ok(self.try_sum(axes, keepdims))
    }

    /// Fallible [`Tensor::sum`].
    pub fn try_sum(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let axes = normalize_axes("sum", axes, self.shape())?;
        Ok(with_array!(self, |a| Tensor::from_array(reduce_typed(a, &axes, keepdims, |v, ax| v.sum_axis(ax)))))
    }

    /// Sum of all elements, as a 0-dimensional tensor.
    pub fn sum_all(&self) -> Tensor {
        with_array!(self, |a| Tensor::from_array(ArrayD::from_elem(IxDyn(&[]), a.sum())))
    }

    /// Mean over `axes`. The mean over an empty axis is NaN, as in NumPy.
    #[track_caller]
    pub fn mean(&self, axes: &[isize], keepdims: bool) -> Tensor {
        ok(self.try_mean(axes, keepdims))
    }

    /// Fallible [`Tensor::mean`].
    pub fn try_mean(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let ax = normalize_axes("mean", axes, self.shape())?;
        let n: usize = ax.iter().map(|&a| self.shape()[a]).product();
        Ok(self.try_sum(axes, keepdims)?.mul_scalar(1.0 / n as f64))
    }

    /// Mean of all elements, as a 0-dimensional tensor.
    pub fn mean_all(&self) -> Tensor {
        self.sum_all().mul_scalar(1.0 / self.len() as f64)
    }

    /// Maximum over `axes` (NaN propagates). Reducing an empty axis gives `-inf`.
    #[track_caller]
    pub fn max(&self, axes: &[isize], keepdims: bool) -> Tensor {
        ok(self.try_max(axes, keepdims))
    }

    /// Fallible [`Tensor::max`].
    pub fn try_max(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let axes = normalize_axes("max", axes, self.shape())?;
        Ok(with_array!(self, |a| Tensor::from_array(reduce_typed(a, &axes, keepdims, max_fold))))
    }

    /// Minimum over `axes` (NaN propagates). Reducing an empty axis gives `+inf`.
    #[track_caller]
    pub fn min(&self, axes: &[isize], keepdims: bool) -> Tensor {
        ok(self.try_min(axes, keepdims))
    }

    /// Fallible [`Tensor::min`].
    pub fn try_min(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let axes = normalize_axes("min", axes, self.shape())?;
        Ok(with_array!(self, |a| Tensor::from_array(reduce_typed(a, &axes, keepdims, min_fold))))
    }

    /// Largest element, as a 0-dimensional tensor (`-inf` if empty).
    pub fn max_all(&self) -> Tensor {
        let all: Vec<isize> = (0..self.ndim() as isize).collect();
        self.max(&all, false)
    }

    /// Smallest element, as a 0-dimensional tensor (`+inf` if empty).
    pub fn min_all(&self) -> Tensor {
        let all: Vec<isize> = (0..self.ndim() as isize).collect();
        self.min(&all, false)
    }

    /// Index of the largest element along `axis` (the first one on ties), as values of the
    /// tensor's element type.
    ///
    /// # Panics
    /// If the axis is out of range or has length 0.
    #[track_caller]
    pub fn argmax(&self, axis: isize, keepdims: bool) -> Tensor {
        ok(self.arg_reduce("argmax", axis, keepdims, |x, best| x > best))
    }

    /// Index of the smallest element along `axis` (the first one on ties).
    ///
    /// # Panics
    /// If the axis is out of range or has length 0.
    #[track_caller]
    pub fn argmin(&self, axis: isize, keepdims: bool) -> Tensor {
        ok(self.arg_reduce("argmin", axis, keepdims, |x, best| x < best))
    }

    /// Index of the largest element along `axis` for each lane, as `usize` (row-major order of
    /// the other axes). Convenient for accuracy: `logits.argmax_indices(-1)`.
    #[track_caller]
    pub fn argmax_indices(&self, axis: isize) -> Vec<usize> {
        self.argmax(axis, false).to_vec::<f64>().into_iter().map(|v| v as usize).collect()
    }

    fn arg_reduce(
        &self,
        op: &'static str,
        axis: isize,
        keepdims: bool,
        better: fn(f64, f64) -> bool,
    ) -> Result<Tensor> {
        let ax = normalize_axis(op, axis, self.shape())?;
        if self.shape()[ax] == 0 {
            return Err(TensorError::invalid(op, format!("axis {ax} of shape {:?} is empty", self.shape())));
        }
        fn pick<E: Element>(a: &ArcArray<E, IxDyn>, ax: usize, better: fn(f64, f64) -> bool) -> Tensor {
            let r = a.map_axis(Axis(ax), |lane| {
                let mut best = 0usize;
                let mut bv = lane[0].f64();
                for (i, &x) in lane.iter().enumerate().skip(1) {
                    let x = x.f64();
                    if !bv.is_nan() && (x.is_nan() || better(x, bv)) {
                        best = i;
                        bv = x;
                    }
                }
                E::of(best as f64)
            });
            Tensor::from_array(r)
        }
        let out = with_array!(self, |a| pick(a, ax, better));
        Ok(if keepdims { out.unsqueeze(ax as isize) } else { out })
    }

    /// Population variance (divides by `n`) over `axes`, as Keras' BatchNormalization uses.
    #[track_caller]
    pub fn var(&self, axes: &[isize], keepdims: bool) -> Tensor {
        ok(self.try_var(axes, 0, keepdims))
    }

    /// Variance over `axes` with `ddof` delta degrees of freedom (divides by `n - ddof`).
    pub fn try_var(&self, axes: &[isize], ddof: usize, keepdims: bool) -> Result<Tensor> {
        let ax = normalize_axes("var", axes, self.shape())?;
        let n: usize = ax.iter().map(|&a| self.shape()[a]).product();
        let mean = self.try_mean(axes, true)?;
        let dev = self.sub(&mean);
        let ss = dev.mul(&dev).try_sum(axes, keepdims)?;
        Ok(ss.mul_scalar(1.0 / (n as f64 - ddof as f64)))
    }

    /// `ln(sum(exp(x)))` along `axis`, computed stably by subtracting the maximum first.
    /// Rows of all `-inf` give `-inf`.
    #[track_caller]
    pub fn logsumexp(&self, axis: isize, keepdims: bool) -> Tensor {
        let ax = ok(normalize_axis("logsumexp", axis, self.shape())) as isize;
        let m = self.max(&[ax], true);
        // A row of -inf has max -inf; shift by 0 there so that exp gives 0 and ln gives -inf.
        let shift = m.map_f64(|v| if v.is_finite() { v } else { 0.0 });
        let s = self.sub(&shift).exp().sum(&[ax], true).ln().add(&shift);
        if keepdims { s } else { s.squeeze(Some(ax)) }
    }

    /// `x - logsumexp(x)` along `axis`: log-probabilities that never overflow.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let x = Tensor::from_vec(vec![1000.0f32, 1000.0], &[1, 2]);
    /// let l = x.log_softmax(-1);
    /// assert!((l.at(&[0, 0]) - (0.5f64).ln()).abs() < 1e-6);
    /// ```
    #[track_caller]
    pub fn log_softmax(&self, axis: isize) -> Tensor {
        let ax = ok(normalize_axis("log_softmax", axis, self.shape()));
        if ax + 1 == self.ndim() && self.is_contiguous() {
            return with_array!(self, |a| Tensor::from_array(softmax_rows(a, true)));
        }
        let ax = ax as isize;
        let shift = self.max(&[ax], true).map_f64(|v| if v.is_finite() { v } else { 0.0 });
        let z = self.sub(&shift);
        let ls = z.exp().sum(&[ax], true).ln();
        z.sub(&ls)
    }

    /// `exp(x - max) / sum(exp(x - max))` along `axis`.
    #[track_caller]
    pub fn softmax(&self, axis: isize) -> Tensor {
        let ax = ok(normalize_axis("softmax", axis, self.shape()));
        if ax + 1 == self.ndim() && self.is_contiguous() {
            return with_array!(self, |a| Tensor::from_array(softmax_rows(a, false)));
        }
        let m = self.max(&[ax as isize], true).map_f64(|v| if v.is_finite() { v } else { 0.0 });
        let e = self.sub(&m).exp();
        e.div(&e.sum(&[ax as isize], true))
    }

    /// Sums over the axes that broadcasting added or stretched, so that the result has `shape`.
    /// This is the backward of broadcasting `shape` up to `self.shape()`.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let g = Tensor::ones(&[4, 2, 3]);
    /// assert_eq!(g.sum_to_shape(&[2, 1]).to_vec::<f32>(), vec![12.0, 12.0]);
    /// ```
    ///
    /// # Panics
    /// If `shape` does not broadcast to `self.shape()`.
    #[track_caller]
    pub fn sum_to_shape(&self, shape: &[usize]) -> Tensor {
        ok(self.try_sum_to_shape(shape))
    }

    /// Fallible [`Tensor::sum_to_shape`].
    pub fn try_sum_to_shape(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let full = broadcast_shapes("sum_to_shape", shape, self.shape())?;
        if full != self.shape() {
            return Err(TensorError::shapes(
                "sum_to_shape",
                "target does not broadcast to the source",
                self.shape(),
                shape,
            ));
        }
        let lead = self.ndim() - shape.len();
        let mut axes: Vec<isize> = (0..lead as isize).collect();
        for (i, &d) in shape.iter().enumerate() {
            if d == 1 && self.shape()[lead + i] != 1 {
                axes.push((lead + i) as isize);
            }
        }
        self.try_sum(&axes, false)?.try_reshape(&shape.iter().map(|&d| d as isize).collect::<Vec<_>>())
    }
}

/// Softmax or log-softmax over the last axis of a contiguous array, row by row.
fn softmax_rows<E: Element>(a: &ArcArray<E, IxDyn>, log: bool) -> ArrayD<E> {
    let x = a.as_slice().expect("contiguous");
    let n = *a.shape().last().unwrap_or(&1);
    let mut out = vec![E::zero(); x.len()];
    if n > 0 {
        for (row, o) in x.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
            softmax_row(row, o, log);
        }
    }
    ArrayD::from_shape_vec(a.raw_dim(), out).expect("same size")
}

/// One row of softmax (or log-softmax) into `out`.
pub fn softmax_row<E: Element>(row: &[E], out: &mut [E], log: bool) {
    let m = row.iter().fold(E::neg_infinity(), |m, &v| if v > m { v } else { m });
    let m = if m.is_finite() { m } else { E::zero() };
    let mut s = E::zero();
    for (o, &v) in out.iter_mut().zip(row) {
        let e = (v - m).exp();
        *o = e;
        s += e;
    }
    if log {
        // (v - m) - ln(s), not v - (m + ln(s)): the latter loses the small term next to a large m.
        let ls = s.ln();
        for (o, &v) in out.iter_mut().zip(row) {
            *o = (v - m) - ls;
        }
    } else {
        let inv = E::one() / s;
        for o in out.iter_mut() {
            *o *= inv;
        }
    }
}

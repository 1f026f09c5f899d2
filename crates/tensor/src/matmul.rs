//! Matrix products: 2-D, batched with broadcast leading axes, matrix-vector, and dot.
//! Strided operands (transposed views) go to the GEMM without a copy.

use ndarray::{ArcArray, ArrayD, IxDyn};

use crate::error::{Result, TensorError, ok};
use crate::gemm::gemm_raw;
use crate::layout::broadcast_shapes;
use crate::tensor::with_arrays;
use crate::{Element, Tensor};

impl Tensor {
    /// Matrix product with NumPy `matmul` semantics:
    /// - `[m, k] @ [k, n] -> [m, n]`;
    /// - leading (batch) axes broadcast: `[b, m, k] @ [k, n] -> [b, m, n]`;
    /// - a 1-D operand is a vector: `[m, k] @ [k] -> [m]`, `[k] @ [k] -> []`.
    ///
    /// ```
    /// use kerosene_tensor::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    /// let c = a.matmul(&a.t()); // a aᵀ: the transpose is a strided view, not a copy
    /// assert_eq!(c.to_vec::<f32>(), vec![5.0, 11.0, 11.0, 25.0]);
    /// ```
    ///
    /// # Panics
    /// If the inner dimensions differ, the batch axes do not broadcast, an operand is a
    /// scalar, or the element types differ. See [`Tensor::try_matmul`].
    #[track_caller]
    pub fn matmul(&self, rhs: &Tensor) -> Tensor {
        ok(self.try_matmul(rhs))
    }

    /// Fallible [`Tensor::matmul`].
    pub fn try_matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        with_arrays!("matmul", self, rhs, |a, b| matmul_typed(a, b).map(Tensor::from_array))
    }
}

fn matmul_typed<E: Element>(a: &ArcArray<E, IxDyn>, b: &ArcArray<E, IxDyn>) -> Result<ArrayD<E>> {
    let (sa, sb) = (a.shape(), b.shape());
    if sa.is_empty() || sb.is_empty() {
        return Err(TensorError::shapes("matmul", "operands must have at least one axis", sa, sb));
    }
    // Promote vectors to matrices through their strides: [k] -> [1, k] (lhs), [k] -> [k, 1] (rhs).
    let (a_shape, a_str): (Vec<usize>, Vec<isize>) =
        if sa.len() == 1 { (vec![1, sa[0]], vec![0, a.strides()[0]]) } else { (sa.to_vec(), a.strides().to_vec()) };
    let (b_shape, b_str): (Vec<usize>, Vec<isize>) =
        if sb.len() == 1 { (vec![sb[0], 1], vec![b.strides()[0], 0]) } else { (sb.to_vec(), b.strides().to_vec()) };
    let (m, k) = (a_shape[a_shape.len() - 2], a_shape[a_shape.len() - 1]);
    let (k2, n) = (b_shape[b_shape.len() - 2], b_shape[b_shape.len() - 1]);
    if k != k2 {
        return Err(TensorError::Shapes {
            op: "matmul",
            reason: "inner dimensions differ".into(),
            lhs: sa.into(),
            rhs: sb.into(),
            detail: format!(" ({k} != {k2})"),
        });
    }
    let (ba, bb) = (&a_shape[..a_shape.len() - 2], &b_shape[..b_shape.len() - 2]);
    let batch = broadcast_shapes("matmul", ba, bb).map_err(|_| TensorError::Shapes {
        op: "matmul",
        reason: "batch dimensions do not broadcast".into(),
        lhs: sa.into(),
        rhs: sb.into(),
        detail: String::new(),
    })?;
    let nbatch: usize = batch.iter().product();
    let mut out_shape = batch.clone();
    out_shape.extend([m, n]);
    let mut out = ArrayD::<E>::zeros(IxDyn(&out_shape));
    let (ra, ca) = (a_str[a_str.len() - 2], a_str[a_str.len() - 1]);
    let (rb, cb) = (b_str[b_str.len() - 2], b_str[b_str.len() - 1]);
    let cptr = out.as_mut_ptr();

    // A contiguous batched lhs times a 2-D rhs is one big GEMM: [b*m, k] @ [k, n].
    if sb.len() == 2 && sa.len() > 2 && a.is_standard_layout() {
        // SAFETY: `a` is standard layout, so its rows are evenly spaced by k; `out` is fresh.
        unsafe {
            gemm_raw(
                nbatch * m,
                k,
                n,
                E::one(),
                a.as_ptr(),
                k as isize,
                1,
                b.as_ptr(),
                rb,
                cb,
                E::zero(),
                cptr,
                n as isize,
                1,
            )
        };
        return Ok(finish_shape(out, sa.len(), sb.len()));
    }
    let a_batch_str = batch_strides(ba, &a_str[..a_str.len() - 2], &batch);
    let b_batch_str = batch_strides(bb, &b_str[..b_str.len() - 2], &batch);
    let mut idx = vec![0usize; batch.len()];
    for p in 0..nbatch {
        let off_a: isize = idx.iter().zip(&a_batch_str).map(|(&i, &s)| i as isize * s).sum();
        let off_b: isize = idx.iter().zip(&b_batch_str).map(|(&i, &s)| i as isize * s).sum();
        // SAFETY: offsets stay inside each operand (indices below the broadcast extents, stride 0
        // on broadcast axes); each batch writes its own m x n block of the fresh output.
        unsafe {
            gemm_raw(
                m,
                k,
                n,
                E::one(),
                a.as_ptr().offset(off_a),
                ra,
                ca,
                b.as_ptr().offset(off_b),
                rb,
                cb,
                E::zero(),
                cptr.add(p * m * n),
                n as isize,
                1,
            )
        };
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < batch[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(finish_shape(out, sa.len(), sb.len()))
}

/// Strides of an operand's batch axes against the broadcast batch shape (0 where broadcast).
fn batch_strides(shape: &[usize], strides: &[isize], batch: &[usize]) -> Vec<isize> {
    let lead = batch.len() - shape.len();
    (0..batch.len()).map(|i| if i < lead || shape[i - lead] == 1 { 0 } else { strides[i - lead] }).collect()
}

/// Drops the axes that were added to promote 1-D operands.
fn finish_shape<E: Element>(out: ArrayD<E>, nda: usize, ndb: usize) -> ArrayD<E> {
    let mut shape = out.shape().to_vec();
    if ndb == 1 {
        shape.pop();
    }
    if nda == 1 {
        let l = shape.len();
        shape.remove(if ndb == 1 { l - 1 } else { l - 2 });
    }
    out.into_shape_with_order(IxDyn(&shape)).expect("same size")
}

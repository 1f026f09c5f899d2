//! Shape changes: `reshape`, `permute` / `transpose` / `t`, `squeeze` / `unsqueeze`, `flatten`,
//! `broadcast_to`. The gradient is `g` put back into the input's shape (the inverse
//! permutation for `permute`, a sum over the broadcast axes for `broadcast_to`).

use crate::Var;

impl Var {
    /// The same elements in a new shape (one `-1` is inferred). A view when contiguous.
    #[track_caller]
    pub fn reshape(&self, shape: &[isize]) -> Var {
        let x = self.value();
        let y = x.reshape(shape);
        let orig = x.shape().to_vec();
        Var::from_op("reshape", y, &[self], move |g, _| vec![Some(g.reshape_to(&orig))])
    }

    /// [`Var::reshape`] with a `usize` shape.
    #[track_caller]
    pub fn reshape_to(&self, shape: &[usize]) -> Var {
        let s: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
        self.reshape(&s)
    }

    /// `[N, d1, d2, ...] -> [N, d1 d2 ...]` (Keras `Flatten`).
    #[track_caller]
    pub fn flatten_batch(&self) -> Var {
        let n = self.shape().first().copied().unwrap_or(1) as isize;
        self.reshape(&[n, -1])
    }

    /// Reorders axes: output axis `i` is input axis `axes[i]`.
    #[track_caller]
    pub fn permute(&self, axes: &[usize]) -> Var {
        let y = self.value().permute(axes);
        let mut inv = vec![0; axes.len()];
        for (i, &a) in axes.iter().enumerate() {
            inv[a] = i;
        }
        Var::from_op("permute", y, &[self], move |g, _| vec![Some(g.permute(&inv))])
    }

    /// Swaps two axes.
    #[track_caller]
    pub fn transpose(&self, a0: isize, a1: isize) -> Var {
        let (i, j) = (self.value().dim_index(a0), self.value().dim_index(a1));
        let mut axes: Vec<usize> = (0..self.ndim()).collect();
        axes.swap(i, j);
        self.permute(&axes)
    }

    /// Swaps the last two axes (1-D stays as is).
    pub fn t(&self) -> Var {
        if self.ndim() < 2 { self.clone() } else { self.transpose(-2, -1) }
    }

    /// Inserts a length-1 axis.
    #[track_caller]
    pub fn unsqueeze(&self, axis: isize) -> Var {
        let x = self.value();
        let orig = x.shape().to_vec();
        Var::from_op("unsqueeze", x.unsqueeze(axis), &[self], move |g, _| vec![Some(g.reshape_to(&orig))])
    }

    /// Removes a length-1 axis (or all of them with `None`).
    #[track_caller]
    pub fn squeeze(&self, axis: Option<isize>) -> Var {
        let x = self.value();
        let orig = x.shape().to_vec();
        Var::from_op("squeeze", x.squeeze(axis), &[self], move |g, _| vec![Some(g.reshape_to(&orig))])
    }

    /// Broadcasts to `shape` (materialized).
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Var {
        let x = self.value();
        let orig = x.shape().to_vec();
        Var::from_op("broadcast_to", x.broadcast_to(shape), &[self], move |g, _| vec![Some(g.sum_to_shape(&orig))])
    }
}

trait DimIndex {
    fn dim_index(&self, axis: isize) -> usize;
}

impl DimIndex for kerosene_tensor::Tensor {
    #[track_caller]
    fn dim_index(&self, axis: isize) -> usize {
        kerosene_tensor::normalize_axis("transpose", axis, self.shape()).unwrap_or_else(|e| panic!("{e}"))
    }
}

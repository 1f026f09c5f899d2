//! Lookups: `index_select` (embeddings) and `gather` (picking a value per row).
//!
//! `index_select`'s gradient adds each `g` slice back at its index (`index_add`, repeated
//! indices accumulate); `gather`'s is the `scatter_add` of `g`.

use kerosene_tensor::{Tensor, indices_in_range, normalize_axis};

use crate::Var;

impl Var {
    /// Slices at `indices` along `axis` (an embedding lookup on axis 0 of the table).
    #[track_caller]
    pub fn index_select(&self, axis: isize, indices: &[usize]) -> Var {
        let x = self.value();
        let y = x.index_select(axis, indices);
        let ax = normalize_axis("index_select", axis, x.shape()).expect("checked by the forward");
        let len = x.shape()[ax];
        let idx = indices.to_vec();
        Var::from_op("index_select", y, &[self], move |g, _| vec![Some(g.index_add(ax as isize, &idx, len))])
    }

    /// Embedding lookup: rows of this `[vocab, dim]` table at the ids in `ids` (any shape, whole
    /// numbers), giving `ids.shape() + [dim]`.
    ///
    /// # Panics
    /// If an id is not a whole number in `0..vocab` (the message names it and its position).
    #[track_caller]
    pub fn embedding(&self, ids: &Tensor) -> Var {
        let v = self.shape()[0];
        let idx = indices_in_range("embedding", ids, v).unwrap_or_else(|e| panic!("{e}"));
        let mut shape: Vec<usize> = ids.shape().to_vec();
        shape.push(self.shape()[1]);
        self.index_select(0, &idx).reshape_to(&shape)
    }

    /// `out[.., i, ..] = self[.., index[.., i, ..], ..]` along `axis` (PyTorch `gather`).
    #[track_caller]
    pub fn gather(&self, axis: isize, index: &Tensor) -> Var {
        let x = self.value();
        let y = x.gather(axis, index);
        let (idx, shape) = (index.clone(), x.shape().to_vec());
        Var::from_op("gather", y, &[self], move |g, _| vec![Some(g.scatter_add(axis, &idx, &shape))])
    }
}

//! Pieces and joins: `slice` (with step), `select`, `concat`, `stack`, `split`, `chunk`.
//!
//! The gradient of a slice is `g` scattered into zeros at the sliced positions (`index_add`);
//! of a concat, `g` cut back into the pieces; of a stack, `g` selected per input.

use kerosene_tensor::{Tensor, normalize_axis};

use crate::Var;

impl Var {
    /// Elements `start, start + step, ...` below `end` along `axis` (a view).
    #[track_caller]
    pub fn slice(&self, axis: isize, start: usize, end: usize, step: usize) -> Var {
        let x = self.value();
        let y = x.slice(axis, start, end, step);
        let ax = normalize_axis("slice", axis, x.shape()).expect("checked by the forward");
        let len = x.shape()[ax];
        let idx: Vec<usize> = (start..end.min(len)).step_by(step).collect();
        Var::from_op("slice", y, &[self], move |g, _| vec![Some(g.index_add(ax as isize, &idx, len))])
    }

    /// The sub-tensor at `index` along `axis`, with the axis removed.
    #[track_caller]
    pub fn select(&self, axis: isize, index: usize) -> Var {
        let x = self.value();
        let ax = normalize_axis("select", axis, x.shape()).unwrap_or_else(|e| panic!("{e}"));
        let y = x.select(ax as isize, index);
        let len = x.shape()[ax];
        Var::from_op("select", y, &[self], move |g, _| {
            vec![Some(g.unsqueeze(ax as isize).index_add(ax as isize, &[index], len))]
        })
    }

    /// Joins along an existing axis.
    ///
    /// # Panics
    /// On an empty list or shapes that differ outside `axis`.
    #[track_caller]
    pub fn concat(vars: &[&Var], axis: isize) -> Var {
        let vals: Vec<Tensor> = vars.iter().map(|v| v.value()).collect();
        let refs: Vec<&Tensor> = vals.iter().collect();
        let y = Tensor::concat(&refs, axis);
        let ax = normalize_axis("concat", axis, y.shape()).expect("checked by the forward");
        let sizes: Vec<usize> = vals.iter().map(|t| t.shape()[ax]).collect();
        Var::from_op("concat", y, vars, move |g, need| {
            let parts = g.split(&sizes, ax as isize);
            parts.into_iter().zip(need).map(|(p, &n)| n.then_some(p)).collect()
        })
    }

    /// Joins equal shapes along a new axis.
    #[track_caller]
    pub fn stack(vars: &[&Var], axis: isize) -> Var {
        let vals: Vec<Tensor> = vars.iter().map(|v| v.value()).collect();
        let refs: Vec<&Tensor> = vals.iter().collect();
        let y = Tensor::stack(&refs, axis);
        let ax = normalize_axis("stack", axis, y.shape()).expect("checked by the forward") as isize;
        Var::from_op("stack", y, vars, move |g, need| {
            need.iter().enumerate().map(|(i, &n)| n.then(|| g.select(ax, i))).collect()
        })
    }

    /// Splits along `axis` into pieces of the given sizes.
    #[track_caller]
    pub fn split(&self, sizes: &[usize], axis: isize) -> Vec<Var> {
        let ax = normalize_axis("split", axis, self.shape()).unwrap_or_else(|e| panic!("{e}"));
        let total: usize = sizes.iter().sum();
        if total != self.shape()[ax] {
            panic!(
                "split: sizes {sizes:?} add up to {total}, but axis {ax} of shape {:?} has length {}",
                self.shape(),
                self.shape()[ax]
            );
        }
        let mut start = 0;
        sizes
            .iter()
            .map(|&s| {
                let v = self.slice(ax as isize, start, start + s, 1);
                start += s;
                v
            })
            .collect()
    }

    /// Splits along `axis` into `n` equal pieces.
    #[track_caller]
    pub fn chunk(&self, n: usize, axis: isize) -> Vec<Var> {
        let ax = normalize_axis("chunk", axis, self.shape()).unwrap_or_else(|e| panic!("{e}"));
        let len = self.shape()[ax];
        if n == 0 || !len.is_multiple_of(n) {
            panic!("chunk: axis {ax} of shape {:?} (length {len}) cannot be split into {n} equal pieces", self.shape());
        }
        self.split(&vec![len / n; n], axis)
    }
}

//! Reverse-mode sweep: topological order, gradient accumulation, freeing the graph.

use std::collections::HashMap;
use std::sync::Arc;

use kerosene_tensor::Tensor;

use crate::error::{AutogradError, Result};
use crate::var::Var;

impl Var {
    /// Backpropagates from this scalar: accumulates `d self / d leaf` into every leaf that
    /// requires grad, then frees the graph.
    ///
    /// # Panics
    /// If the variable is not a one-element tensor, or the graph was already freed by a
    /// previous backward. See [`Var::try_backward`].
    #[track_caller]
    pub fn backward(&self) {
        if let Err(e) = self.try_backward() {
            panic!("{e}");
        }
    }

    /// Fallible [`Var::backward`].
    pub fn try_backward(&self) -> Result<()> {
        if self.len() != 1 {
            return Err(AutogradError::NonScalarBackward { shape: self.shape().to_vec() });
        }
        let seed = Tensor::full_dtype(self.shape(), 1.0, self.dtype());
        self.backward_with(&seed, false)
    }

    /// Backpropagates a given gradient `seed` of this variable's shape (a vector-Jacobian
    /// product). With `retain_graph`, the graph is kept so that backward can run again.
    ///
    /// ```
    /// use kerosene_autograd::Var;
    /// use kerosene_tensor::Tensor;
    /// let x = Var::param(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// let y = x.mul_scalar(3.0);
    /// y.backward_with(&Tensor::from_vec(vec![1.0f32, 10.0], &[2]), true).unwrap();
    /// y.backward_with(&Tensor::from_vec(vec![1.0f32, 10.0], &[2]), false).unwrap();
    /// assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![6.0, 60.0]); // accumulated twice
    /// assert!(y.backward_with(&Tensor::ones(&[2]), false).is_err()); // graph freed
    /// ```
    pub fn backward_with(&self, seed: &Tensor, retain_graph: bool) -> Result<()> {
        if seed.shape() != self.shape() {
            return Err(AutogradError::SeedShape { seed: seed.shape().to_vec(), var: self.shape().to_vec() });
        }
        let seed = seed.to_dtype(self.dtype());
        if self.is_leaf() {
            if self.0.requires_grad {
                self.accumulate_grad(seed);
            }
            return Ok(());
        }
        let order = topo_order(self);
        let index: HashMap<*const crate::var::Inner, usize> =
            order.iter().enumerate().map(|(i, v)| (Arc::as_ptr(&v.0), i)).collect();
        let mut grads: Vec<Option<Tensor>> = vec![None; order.len()];
        *grads.last_mut().expect("root is in the order") = Some(seed);

        for i in (0..order.len()).rev() {
            let Some(g) = grads[i].take() else { continue };
            let v = &order[i];
            let node = v.0.node.as_ref().expect("only op results are in the order");
            let mut guard = node.saved.lock().expect("graph lock poisoned");
            let Some(saved) = guard.as_ref() else {
                return Err(AutogradError::GraphFreed { op: node.op });
            };
            let needs: Vec<bool> = saved.inputs.iter().map(|x| x.requires_grad()).collect();
            let input_grads = (saved.backward)(&g, &needs);
            debug_assert_eq!(input_grads.len(), saved.inputs.len(), "backward of {} returned the wrong count", node.op);
            for ((x, gx), need) in saved.inputs.iter().zip(input_grads).zip(needs) {
                let Some(gx) = gx else { continue };
                if !need {
                    continue;
                }
                if gx.shape() != x.shape() {
                    panic!(
                        "backward of {}: gradient of shape {:?} for an input of shape {:?}",
                        node.op,
                        gx.shape(),
                        x.shape()
                    );
                }
                if x.is_leaf() {
                    x.accumulate_grad(gx);
                } else {
                    let j = index[&Arc::as_ptr(&x.0)];
                    match grads[j].as_mut() {
                        None => grads[j] = Some(gx),
                        Some(acc) => acc.add_assign_scaled(&gx, 1.0),
                    }
                }
            }
            if !retain_graph {
                let freed = guard.take();
                drop(guard);
                drop(freed);
            }
        }
        Ok(())
    }
}

/// Op results reachable from `root` through op results, inputs before outputs (root last).
fn topo_order(root: &Var) -> Vec<Var> {
    let mut order = Vec::new();
    let mut visited: std::collections::HashSet<*const crate::var::Inner> = Default::default();
    // Iterative post-order DFS: (var, inputs already pushed?)
    let mut stack: Vec<(Var, bool)> = vec![(root.clone(), false)];
    while let Some((v, expanded)) = stack.pop() {
        if expanded {
            order.push(v);
            continue;
        }
        if !visited.insert(Arc::as_ptr(&v.0)) {
            continue;
        }
        let inputs: Vec<Var> = match &v.0.node {
            Some(node) => match node.saved.lock().expect("graph lock poisoned").as_ref() {
                Some(s) => s.inputs.iter().filter(|x| !x.is_leaf()).cloned().collect(),
                None => Vec::new(),
            },
            None => continue,
        };
        stack.push((v, true));
        for x in inputs {
            if !visited.contains(&Arc::as_ptr(&x.0)) {
                stack.push((x, false));
            }
        }
    }
    order
}

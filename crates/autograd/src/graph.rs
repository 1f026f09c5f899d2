//! Graph nodes and recording: how an operation attaches its backward to its result.

use std::sync::Mutex;

use kerosene_tensor::Tensor;

use crate::no_grad::is_grad_enabled;
use crate::var::Var;

/// The backward of one operation: given the gradient of its output and which inputs need a
/// gradient, returns one gradient per input (`None` where not needed), each of its input's shape.
pub type BackwardFn = dyn Fn(&Tensor, &[bool]) -> Vec<Option<Tensor>> + Send + Sync;

pub(crate) struct Saved {
    pub(crate) inputs: Vec<Var>,
    pub(crate) backward: Box<BackwardFn>,
}

/// The record of the operation that produced a [`Var`]. Backward takes the saved state out,
/// which frees the tensors it captured and the references to its inputs.
pub(crate) struct Node {
    pub(crate) op: &'static str,
    pub(crate) saved: Mutex<Option<Saved>>,
}

impl Node {
    pub(crate) fn take_inputs(self) -> Vec<Var> {
        match self.saved.into_inner() {
            Ok(Some(s)) => s.inputs,
            _ => Vec::new(),
        }
    }
}

impl Var {
    /// True if an operation on `inputs` would be recorded: grad mode is on and some input
    /// requires grad. Ops use it to skip saving tensors for backward when no graph is built.
    pub fn needs_graph(inputs: &[&Var]) -> bool {
        is_grad_enabled() && inputs.iter().any(|v| v.requires_grad())
    }

    /// The result of an operation: `value`, computed from `inputs`, with `backward` recorded if
    /// [`Var::needs_graph`]. This is how every differentiable op (including users' own) is built.
    ///
    /// ```
    /// use kerosene_autograd::{Var, gradcheck, Tolerances};
    /// use kerosene_tensor::Tensor;
    ///
    /// // A user-defined op: y = x^3, dy/dx = 3x^2.
    /// fn cube(x: &Var) -> Var {
    ///     let xv = x.value();
    ///     let y = xv.powf(3.0);
    ///     Var::from_op("cube", y, &[x], move |g, _| vec![Some(g.mul(&xv.square().mul_scalar(3.0)))])
    /// }
    /// let x = Tensor::from_vec(vec![0.5f64, -1.5, 2.0], &[3]);
    /// gradcheck(|v| cube(&v[0]).sum_all(), &[x], Tolerances::default()).unwrap();
    /// ```
    pub fn from_op(
        op: &'static str,
        value: Tensor,
        inputs: &[&Var],
        backward: impl Fn(&Tensor, &[bool]) -> Vec<Option<Tensor>> + Send + Sync + 'static,
    ) -> Var {
        if !Var::needs_graph(inputs) {
            return Var::new(value);
        }
        let saved = Saved { inputs: inputs.iter().map(|v| (*v).clone()).collect(), backward: Box::new(backward) };
        Var::build(value, false, Some(Node { op, saved: Mutex::new(Some(saved)) }))
    }
}

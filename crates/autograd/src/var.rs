//! [`Var`]: a tensor value in a computation graph.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use kerosene_tensor::{DType, Tensor};

use crate::graph::Node;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The number of [`Var`]s alive in this process (leaves, constants and graph nodes).
///
/// A training loop whose graphs are freed keeps this constant from one step to the next;
/// tests use it to prove that no graph leaks.
pub fn live_vars() -> usize {
    LIVE.load(Ordering::Relaxed)
}

pub(crate) struct Inner {
    pub(crate) id: u64,
    pub(crate) shape: Box<[usize]>,
    pub(crate) value: RwLock<Tensor>,
    pub(crate) grad: Mutex<Option<Tensor>>,
    pub(crate) requires_grad: bool,
    pub(crate) node: Option<Node>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
        // Free long chains iteratively: recursive drops of a deep graph (an RNN over many steps)
        // would otherwise overflow the stack.
        if let Some(node) = self.node.take() {
            let mut stack: Vec<Var> = node.take_inputs();
            while let Some(v) = stack.pop() {
                if let Ok(mut inner) = Arc::try_unwrap(v.0)
                    && let Some(n) = inner.node.take()
                {
                    stack.extend(n.take_inputs());
                }
            }
        }
    }
}

/// A tensor in a computation graph: a leaf (a parameter or an input), a constant, or the result
/// of an operation that remembers how to send gradients back to its inputs.
///
/// Cloning a `Var` is O(1) and yields a handle to the same node. Operations on `Var`s record the
/// graph (unless inside [`no_grad`](crate::no_grad)); [`Var::backward`] walks it in reverse and
/// accumulates gradients into the leaves that require them, then frees the graph.
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_tensor::Tensor;
///
/// // y = x^2 + 5x + 4, so dy/dx = 2x + 5 = 11 at x = 3.
/// let x = Var::param(Tensor::scalar(3.0));
/// let y = x.square().add(&x.mul_scalar(5.0)).add_scalar(4.0);
/// y.backward();
/// assert_eq!(y.item(), 28.0);
/// assert_eq!(x.grad().unwrap().item(), 11.0);
/// ```
#[derive(Clone)]
pub struct Var(pub(crate) Arc<Inner>);

impl Var {
    pub(crate) fn build(value: Tensor, requires_grad: bool, node: Option<Node>) -> Var {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Var(Arc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            shape: value.shape().into(),
            value: RwLock::new(value),
            grad: Mutex::new(None),
            requires_grad,
            node,
        }))
    }

    /// A constant: gradients never flow into it.
    pub fn new(value: Tensor) -> Var {
        Var::build(value, false, None)
    }

    /// Alias of [`Var::new`].
    pub fn constant(value: Tensor) -> Var {
        Var::new(value)
    }

    /// A leaf that requires grad: a trainable parameter. [`Var::backward`] accumulates into its
    /// [`grad`](Var::grad), and optimizers update its value in place.
    pub fn param(value: Tensor) -> Var {
        Var::build(value, true, None)
    }

    /// A leaf with an explicit `requires_grad`.
    pub fn leaf(value: Tensor, requires_grad: bool) -> Var {
        Var::build(value, requires_grad, None)
    }

    /// A unique id, stable for the life of the variable (optimizers key their state by it).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The current value (an O(1) handle to the shared storage).
    pub fn value(&self) -> Tensor {
        self.0.value.read().expect("value lock poisoned").clone()
    }

    /// The shape of the value.
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.0.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.0.shape.iter().product()
    }

    /// True if the value has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type of the value.
    pub fn dtype(&self) -> DType {
        self.0.value.read().expect("value lock poisoned").dtype()
    }

    /// The value of a one-element variable as `f64`.
    ///
    /// # Panics
    /// If the variable does not hold exactly one element.
    #[track_caller]
    pub fn item(&self) -> f64 {
        self.value().item()
    }

    /// True for a leaf that accumulates gradients, and for results of operations that depend on one.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad || self.0.node.is_some()
    }

    /// True if this variable was not produced by a recorded operation.
    pub fn is_leaf(&self) -> bool {
        self.0.node.is_none()
    }

    /// The name of the operation that produced this variable (`None` for leaves).
    pub fn op(&self) -> Option<&'static str> {
        self.0.node.as_ref().map(|n| n.op)
    }

    /// The accumulated gradient of a leaf (`None` before any backward or after [`Var::zero_grad`]).
    pub fn grad(&self) -> Option<Tensor> {
        self.0.grad.lock().expect("grad lock poisoned").clone()
    }

    /// Clears the gradient (PyTorch's `zero_grad(set_to_none=True)`): the next backward writes
    /// instead of adding, with no zero-filled buffer.
    pub fn zero_grad(&self) {
        *self.0.grad.lock().expect("grad lock poisoned") = None;
    }

    /// Replaces the gradient (used by gradient clipping and by users).
    ///
    /// # Panics
    /// If the gradient's shape differs from the value's.
    #[track_caller]
    pub fn set_grad(&self, grad: Option<Tensor>) {
        if let Some(g) = &grad
            && g.shape() != self.shape()
        {
            panic!("set_grad: gradient shape {:?} differs from value shape {:?}", g.shape(), self.shape());
        }
        *self.0.grad.lock().expect("grad lock poisoned") = grad;
    }

    /// Takes the gradient out, leaving `None`.
    pub fn take_grad(&self) -> Option<Tensor> {
        self.0.grad.lock().expect("grad lock poisoned").take()
    }

    pub(crate) fn accumulate_grad(&self, g: Tensor) {
        let mut slot = self.0.grad.lock().expect("grad lock poisoned");
        match slot.as_mut() {
            None => *slot = Some(g),
            Some(acc) => acc.add_assign_scaled(&g, 1.0),
        }
    }

    /// Replaces the value of a leaf (a parameter update or a checkpoint load). The shape must stay
    /// the same; the element type may change (e.g. to `f64` for a gradient check).
    ///
    /// # Panics
    /// If called on a non-leaf, or if the shape changes.
    #[track_caller]
    pub fn set_value(&self, value: Tensor) {
        if !self.is_leaf() {
            panic!(
                "set_value: only leaves (parameters, buffers, inputs) can be assigned, not the result of {:?}",
                self.op()
            );
        }
        if value.shape() != self.shape() {
            panic!("set_value: new shape {:?} differs from the variable's shape {:?}", value.shape(), self.shape());
        }
        *self.0.value.write().expect("value lock poisoned") = value;
    }

    /// Runs `f` on the value of a leaf in place. Storage shared with a recorded graph is copied
    /// first (copy-on-write), so saved tensors are never corrupted.
    ///
    /// # Panics
    /// If called on a non-leaf, or if `f` changes the shape.
    #[track_caller]
    pub fn update_value<R>(&self, f: impl FnOnce(&mut Tensor) -> R) -> R {
        if !self.is_leaf() {
            panic!("update_value: only leaves can be updated in place, not the result of {:?}", self.op());
        }
        let mut v = self.0.value.write().expect("value lock poisoned");
        let r = f(&mut v);
        if v.shape() != &*self.0.shape {
            panic!("update_value: the shape changed from {:?} to {:?}", self.0.shape, v.shape());
        }
        r
    }

    /// A constant with the same value, cut from the graph.
    pub fn detach(&self) -> Var {
        Var::new(self.value())
    }

    /// A new leaf with this value converted to `dtype` and the same `requires_grad` (for
    /// gradient checks in `f64`).
    pub fn to_dtype(&self, dtype: DType) -> Var {
        Var::leaf(self.value().to_dtype(dtype), self.0.requires_grad)
    }

    /// True if both handles point to the same variable.
    pub fn same(&self, other: &Var) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl From<Tensor> for Var {
    fn from(t: Tensor) -> Var {
        Var::new(t)
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Var(id={}, shape={:?}, {}", self.id(), self.shape(), self.dtype())?;
        match self.op() {
            Some(op) => write!(f, ", op={op})"),
            None if self.0.requires_grad => write!(f, ", leaf, requires_grad)"),
            None => write!(f, ", constant)"),
        }
    }
}

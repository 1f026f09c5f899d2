//! The [`Module`] trait: `forward` plus one visitor that reports parameters, buffers, mode
//! flags and child modules. Everything else (parameters, state dicts, train / eval, dtype
//! conversion) is derived from that visitor.

use kerosene_autograd::Var;
use kerosene_tensor::DType;

use crate::error::{Result, StateDictMismatch};
use crate::mode::ModeFlag;
use crate::state_dict::StateDict;

/// One thing a module owns, as reported to a [`Visitor`].
pub enum Entry<'a> {
    /// A trainable parameter (a leaf that requires grad).
    Param(&'a Var),
    /// A non-trainable tensor saved in checkpoints (e.g. BatchNormalization's moving mean).
    Buffer(&'a Var),
    /// A train / eval flag.
    Mode(&'a ModeFlag),
    /// Bookkeeping saved in checkpoints but not a parameter or statistic (e.g. Dropout's
    /// mask-generator state); not counted by `summary`.
    State(&'a Var),
}

/// Walks a module tree, prefixing names with the path of each child (`fc1.weight`).
pub struct Visitor<'a> {
    prefix: String,
    f: &'a mut dyn FnMut(&str, Entry<'_>),
}

impl<'a> Visitor<'a> {
    /// A visitor calling `f(dotted_name, entry)` for everything reported.
    pub fn new(f: &'a mut dyn FnMut(&str, Entry<'_>)) -> Visitor<'a> {
        Visitor { prefix: String::new(), f }
    }

    fn name(&self, name: &str) -> String {
        if self.prefix.is_empty() { name.to_string() } else { format!("{}.{name}", self.prefix) }
    }

    /// Reports a trainable parameter.
    pub fn param(&mut self, name: &str, p: &Var) {
        let n = self.name(name);
        (self.f)(&n, Entry::Param(p));
    }

    /// Reports a buffer (saved, not trained).
    pub fn buffer(&mut self, name: &str, b: &Var) {
        let n = self.name(name);
        (self.f)(&n, Entry::Buffer(b));
    }

    /// Reports saved bookkeeping state.
    pub fn state(&mut self, name: &str, s: &Var) {
        let n = self.name(name);
        (self.f)(&n, Entry::State(s));
    }

    /// Reports a train / eval flag.
    pub fn mode(&mut self, flag: &ModeFlag) {
        let n = self.prefix.clone();
        (self.f)(&n, Entry::Mode(flag));
    }

    /// Visits a child module under `name`.
    pub fn module(&mut self, name: &str, m: &dyn Module) {
        let full = self.name(name);
        let saved = std::mem::replace(&mut self.prefix, full);
        m.visit(self);
        self.prefix = saved;
    }
}

/// Visits the named fields of `self` as child modules, one name per field:
/// `visit_modules!(v, self, fc1, fc2, fc3)` is `v.module("fc1", &self.fc1); ...`.
#[macro_export]
macro_rules! visit_modules {
    ($v:expr, $self:ident, $($field:ident),+ $(,)?) => {
        $( $v.module(stringify!($field), &$self.$field); )+
    };
}

/// A piece of a network: computes `forward` and reports what it owns through `visit`.
///
/// A user's own network implements two methods; `parameters()`, `state_dict()`, `train()` /
/// `eval()` and the rest come for free:
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Linear, Module, Visitor, visit_modules};
/// use kerosene_tensor::{Rng, Tensor};
///
/// struct Net { fc1: Linear, fc2: Linear }
///
/// impl Module for Net {
///     fn forward(&self, x: &Var) -> Var {
///         self.fc2.forward(&self.fc1.forward(x).relu())
///     }
///     fn visit(&self, v: &mut Visitor) {
///         visit_modules!(v, self, fc1, fc2);
///     }
/// }
///
/// let mut rng = Rng::new(0);
/// let net = Net { fc1: Linear::new(4, 8, &mut rng), fc2: Linear::new(8, 2, &mut rng) };
/// let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
/// assert_eq!(net.num_parameters(), 4 * 8 + 8 + 8 * 2 + 2);
/// let y = net.forward(&Var::new(Tensor::zeros(&[3, 4])));
/// assert_eq!(y.shape(), &[3, 2]);
/// ```
pub trait Module: Send + Sync {
    /// Computes the output. Panics with a message naming the layer and shapes on a bad input
    /// (the Keras-style API validates shapes before calling it).
    fn forward(&self, x: &Var) -> Var;

    /// Reports parameters, buffers, mode flags and child modules to `v`.
    fn visit(&self, v: &mut Visitor<'_>);

    /// Every trainable parameter, in visiting order.
    fn parameters(&self) -> Vec<Var> {
        self.named_parameters().into_iter().map(|(_, p)| p).collect()
    }

    /// Every trainable parameter with its dotted name.
    fn named_parameters(&self) -> Vec<(String, Var)> {
        let mut out = Vec::new();
        self.visit(&mut Visitor::new(&mut |n, e| {
            if let Entry::Param(p) = e {
                out.push((n.to_string(), p.clone()));
            }
        }));
        out
    }

    /// Every buffer with its dotted name.
    fn named_buffers(&self) -> Vec<(String, Var)> {
        let mut out = Vec::new();
        self.visit(&mut Visitor::new(&mut |n, e| {
            if let Entry::Buffer(b) = e {
                out.push((n.to_string(), b.clone()));
            }
        }));
        out
    }

    /// The number of trainable scalars.
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|p| p.len()).sum()
    }

    /// Parameters and buffers by name: the checkpoint of this module.
    fn state_dict(&self) -> StateDict {
        let mut sd = StateDict::new();
        self.visit(&mut Visitor::new(&mut |n, e| match e {
            Entry::Param(v) | Entry::Buffer(v) | Entry::State(v) => sd.insert(n, v.value()),
            Entry::Mode(_) => {}
        }));
        sd
    }

    /// Loads parameters and buffers by name. Nothing is changed unless every name and shape
    /// matches; otherwise the error lists every missing, unexpected and mis-shaped entry.
    fn load_state_dict(&self, sd: &StateDict) -> Result<()> {
        let mut targets: Vec<(String, Var)> = Vec::new();
        self.visit(&mut Visitor::new(&mut |n, e| {
            if let Entry::Param(v) | Entry::Buffer(v) | Entry::State(v) = e {
                targets.push((n.to_string(), v.clone()));
            }
        }));
        let mut report = StateDictMismatch::default();
        for (n, v) in &targets {
            match sd.get(n) {
                None => report.missing.push(n.clone()),
                Some(t) if t.shape() != v.shape() => {
                    report.mismatched.push((n.clone(), v.shape().to_vec(), t.shape().to_vec()))
                }
                Some(_) => {}
            }
        }
        for n in sd.names() {
            if !targets.iter().any(|(t, _)| t == n) {
                report.unexpected.push(n.to_string());
            }
        }
        if !report.is_empty() {
            return Err(report.into());
        }
        for (n, v) in &targets {
            let t = sd.get(n).expect("checked");
            v.set_value(t.to_dtype(v.dtype()));
        }
        Ok(())
    }

    /// Sets training (`true`) or evaluation (`false`) mode on every layer.
    fn set_training(&self, training: bool) {
        self.visit(&mut Visitor::new(&mut |_, e| {
            if let Entry::Mode(m) = e {
                m.set_training(training)
            }
        }));
    }

    /// Training mode (PyTorch `model.train()`): Dropout drops, BatchNormalization uses batch statistics.
    fn train(&self) {
        self.set_training(true)
    }

    /// Evaluation mode (PyTorch `model.eval()`): Dropout is the identity, BatchNormalization uses
    /// its moving statistics.
    fn eval(&self) {
        self.set_training(false)
    }

    /// Clears the gradients of every parameter.
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad()
        }
    }

    /// Converts every parameter and buffer to `dtype` in place (e.g. `F64` for a gradient check).
    fn to_dtype(&self, dtype: DType) {
        self.visit(&mut Visitor::new(&mut |_, e| {
            if let Entry::Param(v) | Entry::Buffer(v) | Entry::State(v) = e {
                v.set_value(v.value().to_dtype(dtype));
            }
        }));
    }
}

impl<M: Module + ?Sized> Module for Box<M> {
    fn forward(&self, x: &Var) -> Var {
        (**self).forward(x)
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        (**self).visit(v)
    }
}

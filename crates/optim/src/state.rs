//! The bookkeeping every optimizer shares ([`Core`]): its parameters, their lazily created
//! per-parameter state, the step counter, the learning rate (constant or scheduled), gradient
//! clipping, the update loop that hands typed slices to an update rule ([`Kernel`]), and the
//! state-dict format.
//!
//! State-dict format: `"step"` (the number of steps taken) and `"lr"` (the current learning rate),
//! both scalar `f64` tensors, then for every parameter `i` that has state: `"{i}.step"` (its own
//! update count, for rules with bias corrections), `"{i}.{scalar}"` (scalar `f64` tensors such as
//! NAdam's `mu_product`) and `"{i}.{buffer}"` (tensors shaped and typed like the parameter).

use std::collections::{HashMap, HashSet};
use std::fmt;

use kerosene_autograd::Var;
use kerosene_tensor::{DType, Element, Tensor};

use crate::clip::Clip;
use crate::error::{OptimError, Result, ShapeMismatch, check_lr, non_negative, ok};
use crate::schedule::LrSchedule;

/// The names of the state an update rule keeps per parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    /// True if the rule reads a per-parameter step count (saved as `"{i}.step"`).
    pub(crate) step: bool,
    /// Per-parameter `f64` scalars and their initial values.
    pub(crate) scalars: &'static [(&'static str, f64)],
    /// Per-parameter buffers shaped like the parameter, in the order [`Kernel::update`] gets them.
    pub(crate) buffers: &'static [&'static str],
}

/// An update rule, dispatched on the parameter's element type.
pub(crate) trait Kernel {
    /// The state this rule keeps (it may depend on options such as `amsgrad`).
    fn layout(&self) -> Layout;

    /// The initial value of the buffer `name` (0 unless overridden).
    fn initial(&self, _name: &str) -> f64 {
        0.0
    }

    /// Updates one parameter in place. `bufs` and `scalars` follow [`Kernel::layout`]; `step` is
    /// this parameter's update count including this one (1 on its first update).
    fn update<E: Element>(&self, p: &mut [E], g: &[E], bufs: &mut [&mut [E]], scalars: &mut [f64], step: u64);
}

/// The state of one parameter, created on its first update.
#[derive(Clone)]
pub(crate) struct ParamState {
    pub(crate) step: u64,
    scalar_names: Vec<&'static str>,
    scalars: Vec<f64>,
    buffer_names: Vec<&'static str>,
    buffers: Vec<Tensor>,
}

impl ParamState {
    fn empty() -> ParamState {
        ParamState {
            step: 0,
            scalar_names: Vec::new(),
            scalars: Vec::new(),
            buffer_names: Vec::new(),
            buffers: Vec::new(),
        }
    }

    /// Makes the state match `layout`: keeps what exists, creates what is missing, drops the
    /// rest (an option such as `amsgrad` may have been switched on after the first step), and
    /// converts buffers to the parameter's element type.
    fn sync(&mut self, layout: &Layout, kernel: &impl Kernel, param: &Tensor) {
        if !self.scalar_names.iter().copied().eq(layout.scalars.iter().map(|s| s.0)) {
            let (names, values) = (std::mem::take(&mut self.scalar_names), std::mem::take(&mut self.scalars));
            for &(name, init) in layout.scalars {
                self.scalar_names.push(name);
                self.scalars.push(names.iter().position(|&n| n == name).map_or(init, |i| values[i]));
            }
        }
        if !self.buffer_names.iter().eq(layout.buffers.iter()) {
            let (names, mut values) = (std::mem::take(&mut self.buffer_names), std::mem::take(&mut self.buffers));
            for &name in layout.buffers {
                self.buffer_names.push(name);
                self.buffers.push(match names.iter().position(|&n| n == name) {
                    Some(i) => std::mem::replace(&mut values[i], Tensor::scalar(0.0)),
                    None => param.full_like(kernel.initial(name)),
                });
            }
        }
        for b in &mut self.buffers {
            if b.dtype() != param.dtype() {
                *b = b.to_dtype(param.dtype());
            }
        }
    }
}

/// Where the learning rate comes from.
pub(crate) enum Lr {
    Constant(f64),
    Schedule(Box<dyn LrSchedule>),
}

/// What every optimizer holds besides its hyper-parameters.
pub(crate) struct Core {
    pub(crate) params: Vec<Var>,
    ids: HashSet<u64>,
    states: Vec<Option<ParamState>>,
    pub(crate) iterations: u64,
    pub(crate) lr: Lr,
    pub(crate) clip: Option<Clip>,
}

impl Core {
    /// A core over `params` (duplicates dropped) with a constant learning rate.
    pub(crate) fn new(params: Vec<Var>, lr: f64) -> Core {
        let mut core = Core {
            params: Vec::new(),
            ids: HashSet::new(),
            states: Vec::new(),
            iterations: 0,
            lr: Lr::Constant(lr),
            clip: None,
        };
        core.add_params(params);
        core
    }

    /// Appends parameters, skipping any already held.
    pub(crate) fn add_params(&mut self, params: Vec<Var>) {
        for p in params {
            if self.ids.insert(p.id()) {
                self.params.push(p);
                self.states.push(None);
            }
        }
    }

    /// The learning rate of the next update.
    pub(crate) fn learning_rate(&self) -> f64 {
        match &self.lr {
            Lr::Constant(lr) => *lr,
            Lr::Schedule(s) => s.lr(self.iterations),
        }
    }

    /// Replaces the schedule or constant by the constant `lr`.
    #[track_caller]
    pub(crate) fn set_learning_rate(&mut self, lr: f64) {
        ok(check_lr(lr));
        self.lr = Lr::Constant(lr);
    }

    /// The current learning rate if constant, else the schedule's own initial value
    /// (`lr(0)`); used by configs.
    pub(crate) fn config_lr(&self) -> f64 {
        match &self.lr {
            Lr::Constant(lr) => *lr,
            Lr::Schedule(s) if s.config().is_some() => s.lr(0),
            Lr::Schedule(s) => s.lr(self.iterations),
        }
    }

    /// The serializable schedule, if any.
    pub(crate) fn schedule_config(&self) -> Option<crate::ScheduleConfig> {
        match &self.lr {
            Lr::Constant(_) => None,
            Lr::Schedule(s) => s.config(),
        }
    }

    /// One update of every parameter that has a gradient, then `iterations += 1`.
    pub(crate) fn step(&mut self, kernel: &impl Kernel) {
        if let Some(clip) = self.clip {
            clip.apply(&self.params);
        }
        let layout = kernel.layout();
        for (p, slot) in self.params.iter().zip(&mut self.states) {
            let Some(grad) = p.grad() else { continue };
            p.update_value(|value| {
                if !value.is_contiguous() {
                    *value = value.contiguous();
                }
                let state = slot.get_or_insert_with(ParamState::empty);
                state.sync(&layout, kernel, value);
                state.step += 1;
                let grad = if grad.dtype() == value.dtype() { grad } else { grad.to_dtype(value.dtype()) }.contiguous();
                match value.dtype() {
                    DType::F32 => run::<f32>(kernel, value, &grad, state),
                    DType::F64 => run::<f64>(kernel, value, &grad, state),
                }
            });
        }
        self.iterations += 1;
    }

    /// The state in the format described in the module documentation.
    pub(crate) fn state_dict(&self, layout: &Layout) -> Vec<(String, Tensor)> {
        let scalar = |v: f64| Tensor::scalar_dtype(v, DType::F64);
        let mut out = vec![
            ("step".to_string(), scalar(self.iterations as f64)),
            ("lr".to_string(), scalar(self.learning_rate())),
        ];
        for (i, state) in self.states.iter().enumerate() {
            let Some(state) = state else { continue };
            if layout.step {
                out.push((format!("{i}.step"), scalar(state.step as f64)));
            }
            for (name, v) in state.scalar_names.iter().zip(&state.scalars) {
                out.push((format!("{i}.{name}"), scalar(*v)));
            }
            for (name, b) in state.buffer_names.iter().zip(&state.buffers) {
                out.push((format!("{i}.{name}"), b.clone()));
            }
        }
        out
    }

    /// Checks `state` completely, then replaces the step counter, the learning rate (if
    /// constant) and every parameter's state.
    pub(crate) fn load_state_dict(&mut self, layout: &Layout, state: &[(String, Tensor)]) -> Result<()> {
        let mut missing = Vec::new();
        let mut unexpected = Vec::new();
        let mut mismatched = Vec::new();
        let mut seen = HashSet::new();
        let mut step = None;
        let mut lr = None;
        let mut per_param: HashMap<usize, HashMap<&str, &Tensor>> = HashMap::new();

        let check_scalar = |name: &str, t: &Tensor, mismatched: &mut Vec<ShapeMismatch>| {
            let ok = t.shape().is_empty();
            if !ok {
                mismatched.push(ShapeMismatch { name: name.to_string(), expected: vec![], found: t.shape().to_vec() });
            }
            ok
        };
        for (name, t) in state {
            if !seen.insert(name.as_str()) {
                unexpected.push(format!("{name} (given twice)"));
                continue;
            }
            match name.as_str() {
                "step" => {
                    if check_scalar(name, t, &mut mismatched) {
                        step = Some(count(name, t.item())?);
                    }
                }
                "lr" => {
                    if check_scalar(name, t, &mut mismatched) {
                        let v = t.item();
                        if !non_negative(v) {
                            return Err(OptimError::InvalidState(format!("lr must be non-negative, got {v:?}")));
                        }
                        lr = Some(v);
                    }
                }
                _ => {
                    let parsed = name.split_once('.').and_then(|(i, key)| Some((i.parse::<usize>().ok()?, key)));
                    let Some((i, key)) = parsed.filter(|(i, _)| *i < self.params.len()) else {
                        unexpected.push(name.clone());
                        continue;
                    };
                    let is_scalar = (layout.step && key == "step") || layout.scalars.iter().any(|s| s.0 == key);
                    if is_scalar {
                        if !check_scalar(name, t, &mut mismatched) {
                            continue;
                        }
                        if key == "step" {
                            count(name, t.item())?;
                        }
                    } else if layout.buffers.contains(&key) {
                        if t.shape() != self.params[i].shape() {
                            mismatched.push(ShapeMismatch {
                                name: name.clone(),
                                expected: self.params[i].shape().to_vec(),
                                found: t.shape().to_vec(),
                            });
                            continue;
                        }
                    } else {
                        unexpected.push(name.clone());
                        continue;
                    }
                    per_param.entry(i).or_default().insert(key, t);
                }
            }
        }
        if step.is_none() && !state.iter().any(|(n, _)| n == "step") {
            missing.push("step".to_string());
        }
        if lr.is_none() && !state.iter().any(|(n, _)| n == "lr") {
            missing.push("lr".to_string());
        }
        // A parameter either has no state yet (it never had a gradient) or all of it.
        let mut indices: Vec<usize> = per_param.keys().copied().collect();
        indices.sort_unstable();
        for &i in &indices {
            let entries = &per_param[&i];
            let step_key = layout.step.then_some("step");
            let keys =
                step_key.into_iter().chain(layout.scalars.iter().map(|s| s.0)).chain(layout.buffers.iter().copied());
            for key in keys {
                let name = format!("{i}.{key}");
                if !entries.contains_key(key) && !mismatched.iter().any(|m| m.name == name) {
                    missing.push(name);
                }
            }
        }
        if !missing.is_empty() || !unexpected.is_empty() || !mismatched.is_empty() {
            return Err(OptimError::StateDict { missing, unexpected, mismatched });
        }

        let step = step.expect("checked above");
        let mut states: Vec<Option<ParamState>> = vec![None; self.params.len()];
        for i in indices {
            let entries = &per_param[&i];
            let dtype = self.params[i].value().dtype();
            let param_step = if layout.step { entries["step"].item() as u64 } else { step.max(1) };
            states[i] = Some(ParamState {
                step: param_step,
                scalar_names: layout.scalars.iter().map(|s| s.0).collect(),
                scalars: layout.scalars.iter().map(|s| entries[s.0].item()).collect(),
                buffer_names: layout.buffers.to_vec(),
                buffers: layout.buffers.iter().map(|&name| entries[name].to_dtype(dtype).contiguous()).collect(),
            });
        }
        self.states = states;
        self.iterations = step;
        if let (Lr::Constant(c), Some(lr)) = (&mut self.lr, lr) {
            *c = lr;
        }
        Ok(())
    }
}

/// A step count stored as an `f64` scalar: a non-negative integer.
fn count(name: &str, v: f64) -> Result<u64> {
    if v >= 0.0 && v.fract() == 0.0 && v < 2f64.powi(63) {
        Ok(v as u64)
    } else {
        Err(OptimError::InvalidState(format!("{name} must be a non-negative integer, got {v:?}")))
    }
}

/// Hands typed slices of the parameter, gradient and state to the kernel.
fn run<E: Element>(kernel: &impl Kernel, value: &mut Tensor, grad: &Tensor, state: &mut ParamState) {
    let g = grad.as_slice::<E>().expect("gradient converted to a contiguous tensor of the parameter's type");
    let p = value.as_slice_mut::<E>().expect("parameter made contiguous");
    assert_eq!(p.len(), g.len(), "gradient and parameter lengths differ");
    let mut bufs: Vec<&mut [E]> = state
        .buffers
        .iter_mut()
        .map(|b| b.as_slice_mut::<E>().expect("state buffers are contiguous and of the parameter's type"))
        .collect();
    let (scalars, step) = (&mut state.scalars, state.step);
    // Compiled for the widest vectors this CPU has; the update functions are inlined into it.
    kerosene_tensor::simd::dispatch(
        #[inline(always)]
        || kernel.update(p, g, &mut bufs, scalars, step),
    );
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Core");
        d.field("params", &self.params.len()).field("iterations", &self.iterations);
        match &self.lr {
            Lr::Constant(lr) => d.field("lr", lr),
            Lr::Schedule(s) => d.field("lr", &format_args!("scheduled ({})", s.lr(self.iterations))),
        };
        d.field("clip", &self.clip).finish()
    }
}

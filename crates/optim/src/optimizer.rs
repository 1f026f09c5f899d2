//! The [`Optimizer`] trait, and the macros that implement it (and the builders every optimizer
//! shares) on top of the shared [`Core`](crate::state::Core).

use kerosene_autograd::Var;
use kerosene_tensor::Tensor;

use crate::config::OptimizerConfig;
use crate::error::OptimError;

/// An optimizer: it holds parameters and updates them from their gradients.
///
/// The loop is PyTorch's: `zero_grad`, forward, `backward`, `step`. Parameters whose
/// [`grad`](Var::grad) is `None` are skipped by `step` (as PyTorch does), and their state is
/// created on their first update. Every optimizer can also be built without parameters (Keras'
/// `compile` style: `Adam::default()`) and get them later from [`add_params`](Optimizer::add_params).
///
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_optim::{Adam, Optimizer};
/// use kerosene_tensor::Tensor;
///
/// // Minimize (w - 3)^2.
/// let w = Var::param(Tensor::scalar(0.0));
/// let mut opt = Adam::new(vec![w.clone()], 0.1);
/// for _ in 0..300 {
///     opt.zero_grad();
///     let loss = w.add_scalar(-3.0).square();
///     loss.backward();
///     opt.step();
/// }
/// assert!((w.item() - 3.0).abs() < 1e-2);
/// assert_eq!(opt.iterations(), 300);
/// ```
pub trait Optimizer: Send + Sync {
    /// One update of every held parameter that has a gradient (parameters whose gradient is
    /// `None` are skipped), using the learning rate [`learning_rate`](Optimizer::learning_rate);
    /// then the step counter [`iterations`](Optimizer::iterations) goes up by one.
    fn step(&mut self);

    /// Clears the gradient of every held parameter (PyTorch's `zero_grad(set_to_none=True)`).
    fn zero_grad(&self) {
        for p in self.params() {
            p.zero_grad()
        }
    }

    /// The held parameters, in the order they were given (state-dict entries are keyed by this
    /// index).
    fn params(&self) -> &[Var];

    /// Appends parameters (a parameter already held is skipped). Keras' `compile` builds an
    /// optimizer without parameters and attaches the model's here.
    fn add_params(&mut self, params: Vec<Var>);

    /// The learning rate of the next step: the constant, or the schedule at the current step.
    fn learning_rate(&self) -> f64;

    /// Replaces the schedule or constant by the constant `lr` (what Keras' `ReduceLROnPlateau`
    /// and `LearningRateScheduler` callbacks do).
    ///
    /// # Panics
    /// If `lr` is negative or NaN (`Invalid learning rate: ...`).
    fn set_learning_rate(&mut self, lr: f64);

    /// The number of steps taken.
    fn iterations(&self) -> u64;

    /// The optimizer's state as named tensors: `"step"` and `"lr"` (scalar `f64` tensors), and
    /// for every parameter `i` that has state, its buffers `"{i}.exp_avg"`,
    /// `"{i}.momentum_buffer"`, ... (plus `"{i}.step"` for rules with bias corrections).
    /// Loading it into an optimizer built the same way over the same parameters resumes exactly:
    /// the next updates are bit-identical. Hyper-parameters are not included (see
    /// [`config`](Optimizer::config)).
    fn state_dict(&self) -> Vec<(String, Tensor)>;

    /// Restores a [`state_dict`](Optimizer::state_dict): the step counter, every parameter's
    /// state, and the learning rate if it is a constant (a schedule instead resumes from the
    /// restored step). Names and shapes are checked first; on error nothing changes and the
    /// error lists what is missing, unexpected or mis-shaped.
    fn load_state_dict(&mut self, state: &[(String, Tensor)]) -> Result<(), OptimError>;

    /// A serializable description: the kind, the hyper-parameters, the schedule if it is
    /// serializable (else the current learning rate as a constant) and the clipping.
    /// [`OptimizerConfig::build`] makes a fresh optimizer from it.
    fn config(&self) -> OptimizerConfig;
}

impl<O: Optimizer + ?Sized> Optimizer for Box<O> {
    fn step(&mut self) {
        (**self).step()
    }
    fn zero_grad(&self) {
        (**self).zero_grad()
    }
    fn params(&self) -> &[Var] {
        (**self).params()
    }
    fn add_params(&mut self, params: Vec<Var>) {
        (**self).add_params(params)
    }
    fn learning_rate(&self) -> f64 {
        (**self).learning_rate()
    }
    fn set_learning_rate(&mut self, lr: f64) {
        (**self).set_learning_rate(lr)
    }
    fn iterations(&self) -> u64 {
        (**self).iterations()
    }
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        (**self).state_dict()
    }
    fn load_state_dict(&mut self, state: &[(String, Tensor)]) -> Result<(), OptimError> {
        (**self).load_state_dict(state)
    }
    fn config(&self) -> OptimizerConfig {
        (**self).config()
    }
}

/// Implements [`Optimizer`] for a type with fields `core: Core` and `hyper: $hyper` (whose
/// `validate` checks it), a `fn kernel(&self)` returning its update rule at the current learning
/// rate, and a `fn make_config(&self) -> OptimizerConfig`; adds the shared builders.
macro_rules! impl_optimizer {
    ($ty:ty, $hyper:ty) => {
        impl $crate::Optimizer for $ty {
            fn step(&mut self) {
                let kernel = self.kernel();
                self.core.step(&kernel);
            }
            fn params(&self) -> &[kerosene_autograd::Var] {
                &self.core.params
            }
            fn add_params(&mut self, params: Vec<kerosene_autograd::Var>) {
                self.core.add_params(params)
            }
            fn learning_rate(&self) -> f64 {
                self.core.learning_rate()
            }
            #[track_caller]
            fn set_learning_rate(&mut self, lr: f64) {
                self.core.set_learning_rate(lr)
            }
            fn iterations(&self) -> u64 {
                self.core.iterations
            }
            fn state_dict(&self) -> Vec<(String, kerosene_tensor::Tensor)> {
                use $crate::state::Kernel;
                self.core.state_dict(&self.kernel().layout())
            }
            fn load_state_dict(
                &mut self,
                state: &[(String, kerosene_tensor::Tensor)],
            ) -> Result<(), $crate::OptimError> {
                use $crate::state::Kernel;
                let layout = self.kernel().layout();
                self.core.load_state_dict(&layout, state)
            }
            fn config(&self) -> $crate::OptimizerConfig {
                self.make_config()
            }
        }

        impl $ty {
            /// Sets a constant learning rate, as Keras' `learning_rate=` argument does:
            /// `Adam::default().lr(0.01)` is `keras.optimizers.Adam(learning_rate=0.01)`.
            ///
            /// ```
            /// use kerosene_optim::{Adam, Optimizer};
            /// assert_eq!(Adam::default().lr(0.01).learning_rate(), 0.01);
            /// ```
            ///
            /// # Panics
            /// If `lr` is negative or NaN (`Invalid learning rate: ...`).
            #[track_caller]
            pub fn lr(mut self, lr: f64) -> Self {
                $crate::Optimizer::set_learning_rate(&mut self, lr);
                self
            }

            /// [`lr`](Self::lr) returning an error instead of panicking.
            ///
            /// ```
            /// use kerosene_optim::Sgd;
            /// assert!(Sgd::default().try_lr(0.1).is_ok());
            /// let err = Sgd::default().try_lr(-0.1).unwrap_err();
            /// assert!(err.to_string().contains("Invalid learning rate"), "{err}");
            /// ```
            pub fn try_lr(mut self, lr: f64) -> Result<Self, $crate::OptimError> {
                $crate::error::check_lr(lr)?;
                $crate::Optimizer::set_learning_rate(&mut self, lr);
                Ok(self)
            }

            /// Takes the learning rate from `schedule` from now on: the update at step `t`
            /// (counting from 0) uses `schedule.lr(t)`.
            /// [`set_learning_rate`](crate::Optimizer::set_learning_rate) replaces it by a constant.
            pub fn schedule(mut self, schedule: impl $crate::LrSchedule + 'static) -> Self {
                self.core.lr = $crate::state::Lr::Schedule(Box::new(schedule));
                self
            }

            /// Clips the gradients at the start of every step (see [`Clip`](crate::Clip)).
            ///
            /// # Panics
            /// If the threshold is negative or NaN (`Invalid clip value: ...`).
            #[track_caller]
            pub fn clip(self, clip: $crate::Clip) -> Self {
                $crate::error::ok(self.try_clip(clip))
            }

            /// [`clip`](Self::clip) returning an error instead of panicking.
            pub fn try_clip(mut self, clip: $crate::Clip) -> Result<Self, $crate::OptimError> {
                clip.validate()?;
                self.core.clip = Some(clip);
                Ok(self)
            }

            /// Removes gradient clipping.
            pub fn no_clip(mut self) -> Self {
                self.core.clip = None;
                self
            }

            /// Changes the hyper-parameters through `f` if the result is valid.
            fn try_with(mut self, f: impl FnOnce(&mut $hyper)) -> Result<Self, $crate::OptimError> {
                let mut h = self.hyper;
                f(&mut h);
                h.validate()?;
                self.hyper = h;
                Ok(self)
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty)).field("hyper", &self.hyper()).field("core", &self.core).finish()
            }
        }
    };
}

/// A builder setter for one hyper-parameter field, panicking on an invalid value, and its
/// `try_` twin. Used inside `impl` blocks of optimizers built with [`impl_optimizer!`].
macro_rules! setter {
    ($(#[$doc:meta])* $name:ident, $try_name:ident, $field:ident: $t:ty) => {
        $(#[$doc])*
        #[track_caller]
        pub fn $name(self, $field: $t) -> Self {
            $crate::error::ok(self.$try_name($field))
        }

        #[doc = concat!("[`", stringify!($name), "`](Self::", stringify!($name), ") returning an error instead of panicking.")]
        pub fn $try_name(self, $field: $t) -> Result<Self, $crate::OptimError> {
            self.try_with(|h| h.$field = $field)
        }
    };
}

pub(crate) use {impl_optimizer, setter};

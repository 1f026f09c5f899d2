//! `fit`: nested loops over epochs and batches whose only extension points are callbacks.

use kerosene_autograd::{Var, no_grad};
use kerosene_losses::Reduction;
use kerosene_nn::{Activation, Module};
use kerosene_tensor::{Rng, Tensor};

use super::Scores;
use super::sequential::Sequential;
use super::validate::{check_batch_size, check_targets, check_xy};
use crate::callbacks::{Callback, FitInfo, History, Logs, ProgbarLogger};
use crate::error::{Error, Result};
use crate::metrics::{Metric, MetricState};

/// The settings of `fit`, Keras' keyword arguments as a builder:
/// `Fit::epochs(5).batch_size(64).validation_split(0.1).callback(EarlyStopping::new("val_loss"))`.
pub struct Fit {
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) shuffle: bool,
    pub(crate) seed: Option<u64>,
    pub(crate) validation_split: f64,
    pub(crate) validation_data: Option<(Tensor, Tensor)>,
    pub(crate) verbose: u8,
    pub(crate) initial_epoch: usize,
    pub(crate) callbacks: Vec<Box<dyn Callback>>,
}

impl Fit {
    /// `epochs` epochs, batch size 32, shuffled, progress bar on (Keras' defaults).
    pub fn epochs(epochs: usize) -> Fit {
        Fit {
            epochs,
            batch_size: 32,
            shuffle: true,
            seed: None,
            validation_split: 0.0,
            validation_data: None,
            verbose: 1,
            initial_epoch: 0,
            callbacks: Vec::new(),
        }
    }

    /// Samples per gradient step (default 32).
    pub fn batch_size(mut self, b: usize) -> Fit {
        self.batch_size = b;
        self
    }

    /// Reshuffle the training samples every epoch (default on).
    pub fn shuffle(mut self, on: bool) -> Fit {
        self.shuffle = on;
        self
    }

    /// The shuffling seed (default: the model's seed). Epoch `e` uses an order derived from
    /// `(seed, e)`, so a run resumed at `initial_epoch` sees the same orders.
    pub fn seed(mut self, s: u64) -> Fit {
        self.seed = Some(s);
        self
    }

    /// Hold out this fraction of the samples (the last ones, before shuffling, as Keras does)
    /// for validation.
    pub fn validation_split(mut self, f: f64) -> Fit {
        self.validation_split = f;
        self
    }

    /// Validate on this data at the end of each epoch.
    pub fn validation_data(mut self, x: &Tensor, y: &Tensor) -> Fit {
        self.validation_data = Some((x.clone(), y.clone()));
        self
    }

    /// 0 silent, 1 progress bar (default), 2 one line per epoch.
    pub fn verbose(mut self, v: u8) -> Fit {
        self.verbose = v;
        self
    }

    /// The epoch to start from (to resume training).
    pub fn initial_epoch(mut self, e: usize) -> Fit {
        self.initial_epoch = e;
        self
    }

    /// Adds a callback.
    pub fn callback(mut self, c: impl Callback + 'static) -> Fit {
        self.callbacks.push(Box::new(c));
        self
    }
}

/// The order of epoch `epoch`'s samples.
fn epoch_order(n: usize, shuffle: bool, seed: u64, epoch: usize) -> Vec<usize> {
    if !shuffle {
        return (0..n).collect();
    }
    let mut rng = Rng::new(seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    rng.permutation(n)
}

/// The running loss and metrics of an epoch (or an evaluation).
pub(crate) struct Tracker {
    loss_sum: f64,
    count: f64,
    metrics: Vec<MetricState>,
    needs_probs: bool,
}

impl Tracker {
    pub(crate) fn new(model: &Sequential) -> Result<Tracker> {
        let c = model.compiled()?;
        let width = model.output_shape().and_then(|s| s.last().copied()).unwrap_or(1);
        let metrics: Vec<MetricState> = c.metrics.iter().map(|m| MetricState::new(*m, &c.loss, width)).collect();
        let needs_probs = metrics.iter().any(|m| {
            !matches!(
                m.metric,
                Metric::SparseCategoricalAccuracy
                    | Metric::CategoricalAccuracy
                    | Metric::SparseTopKCategoricalAccuracy(_)
                    | Metric::TopKCategoricalAccuracy(_)
            )
        });
        Ok(Tracker { loss_sum: 0.0, count: 0.0, metrics, needs_probs })
    }

    fn reset(&mut self) {
        self.loss_sum = 0.0;
        self.count = 0.0;
        self.metrics.iter_mut().for_each(|m| m.reset());
    }

    /// Adds a batch: its mean loss, its outputs (logits if `fused` names the activation that was
    /// folded into the loss), and its targets.
    pub(crate) fn update(&mut self, loss: f64, out: &Tensor, fused: Option<Activation>, y: &Tensor) {
        let n = out.shape().first().copied().unwrap_or(1) as f64;
        self.loss_sum += loss * n;
        self.count += n;
        if self.metrics.is_empty() {
            return;
        }
        let pred = match fused {
            Some(act) if self.needs_probs => no_grad(|| act.apply(&Var::new(out.clone())).value()),
            _ => out.clone(),
        };
        for m in &mut self.metrics {
            m.update(&pred, y);
        }
    }

    pub(crate) fn logs(&self, prefix: &str) -> Logs {
        let mut logs = Logs::new();
        logs.insert(format!("{prefix}loss"), if self.count > 0.0 { self.loss_sum / self.count } else { 0.0 });
        for m in &self.metrics {
            logs.insert(format!("{prefix}{}", m.name), m.value());
        }
        logs
    }
}

impl Sequential {
    /// Trains the model (Keras' `fit`): shuffles each epoch, runs mini-batch gradient steps,
    /// validates, and calls the callbacks. Returns the per-epoch [`History`].
    ///
    /// `y` holds integer labels (`[N]`) for sparse categorical cross-entropy, one-hot rows for
    /// categorical cross-entropy, and values of the output's shape for regression.
    ///
    /// # Errors
    /// Before any training, if the model is not compiled, `batch_size` is 0, `x` and `y` differ
    /// in length or are empty, `x` does not fit the first layer, the validation split leaves no
    /// samples on a side, or `y` does not fit the output and the loss (a label out of range names
    /// the label, its index and the output layer). During training, if a callback fails.
    pub fn fit(&mut self, x: &Tensor, y: &Tensor, cfg: Fit) -> Result<History> {
        let Fit {
            epochs,
            batch_size,
            shuffle,
            seed,
            validation_split,
            validation_data,
            verbose,
            initial_epoch,
            callbacks,
        } = cfg;
        self.compiled()?;
        check_batch_size(batch_size)?;
        check_xy(x, y)?;
        self.ensure_built_for(x)?;
        kerosene_tensor::memory::keep_freed_memory();
        let loss = self.compiled()?.loss;
        check_targets(self, y, loss)?;

        let n_all = x.shape()[0];
        let (train_x, train_y, val) = if let Some((vx, vy)) = validation_data {
            check_xy(&vx, &vy).map_err(|e| Error::Data(format!("validation_data: {e}")))?;
            self.ensure_built_for(&vx).map_err(|e| Error::Data(format!("validation_data: {e}")))?;
            check_targets(self, &vy, loss).map_err(|e| Error::Data(format!("validation_data: {e}")))?;
            (x.clone(), y.clone(), Some((vx, vy)))
        } else if validation_split > 0.0 {
            if validation_split >= 1.0 || validation_split.is_nan() {
                return Err(Error::Config(format!("validation_split must be in [0, 1), got {validation_split}")));
            }
            let n_val = (n_all as f64 * validation_split).floor() as usize;
            let n_train = n_all - n_val;
            if n_val == 0 || n_train == 0 {
                return Err(Error::Data(format!(
                    "validation_split {validation_split} of {n_all} samples leaves {n_train} for training and {n_val} for validation; both need at least one"
                )));
            }
            (
                x.slice(0, 0, n_train, 1),
                y.slice(0, 0, n_train, 1),
                Some((x.slice(0, n_train, n_all, 1), y.slice(0, n_train, n_all, 1))),
            )
        } else if validation_split < 0.0 || validation_split.is_nan() {
            return Err(Error::Config(format!("validation_split must be in [0, 1), got {validation_split}")));
        } else {
            (x.clone(), y.clone(), None)
        };
        let train_x = train_x.contiguous();
        let train_y = train_y.contiguous();

        let n = train_x.shape()[0];
        let steps = n.div_ceil(batch_size);
        let info = FitInfo { epochs, initial_epoch, steps, samples: n, verbose };
        let seed = seed.unwrap_or(self.seed);
        let mut history = History::default();
        let mut progbar = ProgbarLogger::new(verbose);
        let mut user = callbacks;
        self.stop = false;

        let mut tracker = Tracker::new(self)?;
        let mut run = |model: &mut Sequential, cbs: &mut [&mut dyn Callback]| -> Result<Logs> {
            for cb in cbs.iter_mut() {
                cb.on_train_begin(&info, model)?;
            }
            let mut last_logs = Logs::new();
            for epoch in initial_epoch..epochs {
                for cb in cbs.iter_mut() {
                    cb.on_epoch_begin(epoch, model)?;
                }
                tracker.reset();
                model.set_training(true);
                let order = epoch_order(n, shuffle, seed, epoch);
                for (step, idx) in order.chunks(batch_size).enumerate() {
                    let xb = train_x.index_select(0, idx);
                    let yb = train_y.index_select(0, idx);
                    model.train_step(&xb, &yb, &mut tracker)?;
                    let logs = tracker.logs("");
                    for cb in cbs.iter_mut() {
                        cb.on_train_batch_end(step, &logs, model)?;
                    }
                    if model.stop {
                        break;
                    }
                }
                model.set_training(false);
                let mut logs = tracker.logs("");
                if let Some((vx, vy)) = &val {
                    logs.extend(model.evaluate_logs(vx, vy, batch_size, "val_")?);
                }
                for cb in cbs.iter_mut() {
                    cb.on_epoch_end(epoch, &logs, model)?;
                }
                last_logs = logs;
                if model.stop {
                    break;
                }
            }
            for cb in cbs.iter_mut() {
                cb.on_train_end(&last_logs, model)?;
            }
            Ok(last_logs)
        };
        let mut cbs: Vec<&mut dyn Callback> = vec![&mut history, &mut progbar];
        cbs.extend(user.iter_mut().map(|b| b.as_mut() as &mut dyn Callback));
        let result = run(self, &mut cbs);
        self.set_training(false);
        result?;
        Ok(history)
    }

    /// One gradient step on a batch; updates the tracker.
    fn train_step(&mut self, xb: &Tensor, yb: &Tensor, tracker: &mut Tracker) -> Result<()> {
        let loss_kind = self.compiled()?.loss;
        self.compiled()?.optimizer.zero_grad();
        let x = Var::new(xb.clone());
        let (out, loss_kind, fused) = self.forward_for_loss(&x, loss_kind);
        let loss = loss_kind.compute(&out, yb, None, Reduction::Mean)?;
        loss.try_backward()?;
        self.compiled_mut()?.optimizer.step();
        tracker.update(loss.item(), &out.value(), fused, yb);
        Ok(())
    }

    /// One gradient step on one batch (Keras' `train_on_batch`); returns the batch's loss and
    /// metrics.
    ///
    /// # Errors
    /// As `fit`'s validation.
    pub fn train_on_batch(&mut self, x: &Tensor, y: &Tensor) -> Result<Scores> {
        self.compiled()?;
        check_xy(x, y)?;
        self.ensure_built_for(x)?;
        check_targets(self, y, self.compiled()?.loss)?;
        let mut tracker = Tracker::new(self)?;
        self.set_training(true);
        let r = self.train_step(x, y, &mut tracker);
        self.set_training(false);
        r?;
        Ok(tracker.logs(""))
    }
}

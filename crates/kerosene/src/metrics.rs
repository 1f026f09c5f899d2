//! [`Metric`]: what `compile` reports besides the loss, accumulated over an epoch.

use serde::{Deserialize, Serialize};

use kerosene_losses::Loss;
use kerosene_tensor::Tensor;

use crate::error::{Error, Result};

/// A metric (Keras names). `Accuracy` resolves to the sparse, categorical or binary form from
/// the loss and the output shape, as Keras does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Metric {
    /// `"accuracy"`: picks the form below that fits the loss.
    Accuracy,
    /// Argmax of predictions equals the integer label.
    SparseCategoricalAccuracy,
    /// Argmax of predictions equals argmax of one-hot labels.
    CategoricalAccuracy,
    /// Predictions above `threshold` agree with 0 / 1 labels.
    BinaryAccuracy(f64),
    /// The label is among the `k` highest predictions (integer labels).
    SparseTopKCategoricalAccuracy(usize),
    /// The label is among the `k` highest predictions (one-hot labels).
    TopKCategoricalAccuracy(usize),
    /// Mean absolute error.
    Mae,
    /// Mean squared error.
    Mse,
    /// `TP / (TP + FP)` with predictions thresholded at 0.5 (one-hot labels for several classes).
    Precision,
    /// `TP / (TP + FN)` with predictions thresholded at 0.5.
    Recall,
}

impl Metric {
    /// Looks up a Keras name: `"accuracy"` / `"acc"`, `"sparse_categorical_accuracy"`,
    /// `"categorical_accuracy"`, `"binary_accuracy"`, `"top_k_categorical_accuracy"`,
    /// `"sparse_top_k_categorical_accuracy"`, `"mae"`, `"mse"`, `"precision"`, `"recall"`.
    pub fn from_name(name: &str) -> Result<Metric> {
        Ok(match name {
            "accuracy" | "acc" => Metric::Accuracy,
            "sparse_categorical_accuracy" => Metric::SparseCategoricalAccuracy,
            "categorical_accuracy" => Metric::CategoricalAccuracy,
            "binary_accuracy" => Metric::BinaryAccuracy(0.5),
            "top_k_categorical_accuracy" => Metric::TopKCategoricalAccuracy(5),
            "sparse_top_k_categorical_accuracy" => Metric::SparseTopKCategoricalAccuracy(5),
            "mae" | "mean_absolute_error" => Metric::Mae,
            "mse" | "mean_squared_error" => Metric::Mse,
            "precision" => Metric::Precision,
            "recall" => Metric::Recall,
            other => {
                return Err(Error::Config(format!(
                    "unknown metric \"{other}\"; known: accuracy, sparse_categorical_accuracy, categorical_accuracy, binary_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mae, mse, precision, recall"
                )));
            }
        })
    }

    /// The name in logs and `History` (Keras': `"accuracy"` stays `"accuracy"`).
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::SparseCategoricalAccuracy => "sparse_categorical_accuracy",
            Metric::CategoricalAccuracy => "categorical_accuracy",
            Metric::BinaryAccuracy(_) => "binary_accuracy",
            Metric::SparseTopKCategoricalAccuracy(_) => "sparse_top_k_categorical_accuracy",
            Metric::TopKCategoricalAccuracy(_) => "top_k_categorical_accuracy",
            Metric::Mae => "mae",
            Metric::Mse => "mse",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
        }
    }

    /// The concrete metric `Accuracy` stands for, given the loss and the output width.
    pub fn resolve(&self, loss: &Loss, output_width: usize) -> Metric {
        match self {
            Metric::Accuracy if loss.is_sparse() => Metric::SparseCategoricalAccuracy,
            Metric::Accuracy if loss.is_binary() || output_width == 1 => Metric::BinaryAccuracy(0.5),
            Metric::Accuracy => Metric::CategoricalAccuracy,
            m => *m,
        }
    }
}

/// A running value of one metric over the batches of an epoch.
#[derive(Debug, Clone)]
pub(crate) struct MetricState {
    pub(crate) metric: Metric,
    pub(crate) name: &'static str,
    num: f64,
    den: f64,
}

impl MetricState {
    pub(crate) fn new(declared: Metric, loss: &Loss, output_width: usize) -> MetricState {
        MetricState { metric: declared.resolve(loss, output_width), name: declared.name(), num: 0.0, den: 0.0 }
    }

    pub(crate) fn reset(&mut self) {
        self.num = 0.0;
        self.den = 0.0;
    }

    /// The value so far (0 before any batch).
    pub(crate) fn value(&self) -> f64 {
        if self.den == 0.0 { 0.0 } else { self.num / self.den }
    }

    /// Adds a batch: `pred` are probabilities (or values for regression), `y` the targets.
    pub(crate) fn update(&mut self, pred: &Tensor, y: &Tensor) {
        let p = pred.to_vec::<f64>();
        let t = y.to_vec::<f64>();
        let width = *pred.shape().last().unwrap_or(&1);
        let rows = p.len().checked_div(width).unwrap_or(0);
        let (num, den) = match self.metric {
            Metric::SparseCategoricalAccuracy | Metric::SparseTopKCategoricalAccuracy(_) => {
                let k = if let Metric::SparseTopKCategoricalAccuracy(k) = self.metric { k } else { 1 };
                let hits = (0..rows).filter(|&r| in_top_k(&p[r * width..(r + 1) * width], t[r] as usize, k)).count();
                (hits as f64, rows as f64)
            }
            Metric::CategoricalAccuracy | Metric::TopKCategoricalAccuracy(_) => {
                let k = if let Metric::TopKCategoricalAccuracy(k) = self.metric { k } else { 1 };
                let hits = (0..rows)
                    .filter(|&r| in_top_k(&p[r * width..(r + 1) * width], argmax(&t[r * width..(r + 1) * width]), k))
                    .count();
                (hits as f64, rows as f64)
            }
            Metric::BinaryAccuracy(th) => {
                let hits = p.iter().zip(&t).filter(|&(&p, &t)| (p > th) == (t > 0.5)).count();
                (hits as f64, p.len() as f64)
            }
            Metric::Mae => (p.iter().zip(&t).map(|(a, b)| (a - b).abs()).sum(), p.len() as f64),
            Metric::Mse => (p.iter().zip(&t).map(|(a, b)| (a - b) * (a - b)).sum(), p.len() as f64),
            Metric::Precision | Metric::Recall => {
                let truth = one_hot_if_sparse(&t, p.len(), width);
                let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
                for (&pv, &tv) in p.iter().zip(&truth) {
                    match (pv > 0.5, tv > 0.5) {
                        (true, true) => tp += 1.0,
                        (true, false) => fp += 1.0,
                        (false, true) => fneg += 1.0,
                        _ => {}
                    }
                }
                if self.metric == Metric::Precision { (tp, tp + fp) } else { (tp, tp + fneg) }
            }
            Metric::Accuracy => unreachable!("resolved at construction"),
        };
        self.num += num;
        self.den += den;
    }
}

fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// True if fewer than `k` entries beat the label's score (ties count in the label's favour after
/// the first `k`, as a stable ranking would).
fn in_top_k(row: &[f64], label: usize, k: usize) -> bool {
    let Some(&s) = row.get(label) else { return false };
    let better = row.iter().enumerate().filter(|&(i, &v)| v > s || (v == s && i < label)).count();
    better < k
}

fn one_hot_if_sparse(t: &[f64], n: usize, width: usize) -> Vec<f64> {
    if t.len() == n || width <= 1 {
        return t.to_vec();
    }
    let mut out = vec![0.0; n];
    for (r, &c) in t.iter().enumerate() {
        if let Some(slot) = out.get_mut(r * width + c as usize) {
            *slot = 1.0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_vec(v.to_vec(), s)
    }

    #[test]
    fn accuracies_by_hand() {
        let p = t(&[0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.3, 0.5], &[3, 3]);
        let mut m = MetricState::new(Metric::Accuracy, &Loss::SparseCategoricalCrossentropy, 3);
        m.update(&p, &t(&[1.0, 1.0, 2.0], &[3]));
        assert!((m.value() - 2.0 / 3.0).abs() < 1e-12);
        let mut top2 = MetricState::new(Metric::SparseTopKCategoricalAccuracy(2), &Loss::MeanSquaredError, 3);
        top2.update(&p, &t(&[1.0, 1.0, 0.0], &[3]));
        // rows 0 and 1 have their label in the top 2; row 2 (label 0, score 0.2) is beaten by 0.5 and 0.3
        assert!((top2.value() - 2.0 / 3.0).abs() < 1e-12);
        let mut cat = MetricState::new(Metric::Accuracy, &Loss::CategoricalCrossentropy, 3);
        cat.update(&p, &t(&[0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0], &[3, 3]));
        assert_eq!(cat.value(), 1.0);
        let mut bin = MetricState::new(Metric::Accuracy, &Loss::BinaryCrossentropy, 1);
        bin.update(&t(&[0.9, 0.4, 0.6, 0.1], &[4, 1]), &t(&[1.0, 1.0, 0.0, 0.0], &[4, 1]));
        assert_eq!(bin.value(), 0.5);
    }

    #[test]
    fn precision_recall_and_errors_by_hand() {
        let p = t(&[0.9, 0.8, 0.2, 0.6], &[4, 1]);
        let y = t(&[1.0, 0.0, 1.0, 1.0], &[4, 1]);
        let mut pr = MetricState::new(Metric::Precision, &Loss::BinaryCrossentropy, 1);
        pr.update(&p, &y);
        assert!((pr.value() - 2.0 / 3.0).abs() < 1e-12); // TP 2, FP 1
        let mut rc = MetricState::new(Metric::Recall, &Loss::BinaryCrossentropy, 1);
        rc.update(&p, &y);
        assert!((rc.value() - 2.0 / 3.0).abs() < 1e-12); // TP 2, FN 1
        let mut mae = MetricState::new(Metric::Mae, &Loss::MeanSquaredError, 1);
        mae.update(&t(&[1.0, 2.0], &[2, 1]), &t(&[0.0, 4.0], &[2, 1]));
        mae.update(&t(&[3.0], &[1, 1]), &t(&[3.0], &[1, 1]));
        assert_eq!(mae.value(), 1.0); // (1 + 2 + 0) / 3
        assert!(Metric::from_name("acuracy").is_err());
    }
}

//! Sequence classification, PyTorch style: an `LSTM(128)` reads each Fashion-MNIST image row by
//! row (28 steps of 28 pixels), its last hidden state goes through `Dense(10)` to the class
//! logits; cross-entropy, Adam(lr 1e-3), mini-batches of 64 reshuffled each epoch, evaluated on
//! the 10,000 test images under `no_grad`. This is the W4 speed workload (`seconds_per_10k_images`
//! is one W4 epoch).
//!
//! ```text
//! cargo run --release --example sequence_classification                   # 5 epochs
//! cargo run --release --example sequence_classification -- --epochs 1 --train-size 10000
//! ```
//!
//! Options: `--epochs N` (5), `--batch N` (64), `--units N` (128), `--lr X` (1e-3),
//! `--train-size N` (all 60,000), `--dataset mnist|fashion-mnist`, `--data-dir DIR`.
//!
//! Expected: about 0.87 test accuracy after 5 epochs (0.86 after 3); the last
//! line is JSON:
//! `{"example":"sequence_classification","dataset":"fashion-mnist","epochs":5,"test_accuracy":0.87,"train_seconds":...,"seconds_per_10k_images":...}`.

#[path = "common/args.rs"]
mod args;

use std::time::Instant;

use kerosene::autograd::{Var, no_grad};
use kerosene::datasets::{DataLoader, Dataset};
use kerosene::losses::cross_entropy;
use kerosene::nn::{Dense, LSTM, Layer, Module, Visitor, visit_modules};
use kerosene::optim::{Adam, Optimizer};
use kerosene::tensor::Rng;

/// LSTM over the rows, then a linear classifier on the last hidden state.
struct RowLstm {
    lstm: LSTM,
    head: Dense,
    rows: usize,
}

impl Module for RowLstm {
    fn forward(&self, x: &Var) -> Var {
        let n = x.shape()[0];
        let steps = x.reshape_to(&[n, self.rows, x.shape()[1] / self.rows]); // [N, 28, 28]
        self.head.forward(&self.lstm.forward(&steps)) // logits [N, 10]
    }

    fn visit(&self, v: &mut Visitor) {
        visit_modules!(v, self, lstm, head);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args::Args::parse();
    let epochs = args.usize("epochs", 5);
    let batch = args.usize("batch", 64);
    let units = args.usize("units", 128);
    let lr = args.f64("lr", 1e-3);
    let (name, data) = args::load_images(&args)?;
    let (rows, cols) = data.image_size();
    let full = data.train_dataset();
    let train_size = args.usize("train-size", full.len()).min(full.len());
    let train = if train_size < full.len() { full.subset(&(0..train_size).collect::<Vec<_>>())? } else { full };
    let loader = DataLoader::new(&train, batch)?.shuffle(42);

    let mut rng = Rng::new(0);
    let mut net = RowLstm { lstm: LSTM::new(units), head: Dense::new(data.num_classes()), rows };
    net.lstm.build(&[rows, cols], &mut rng)?;
    net.head.build(&[units], &mut rng)?;
    let mut opt = Adam::new(net.parameters(), lr);
    eprintln!("{name}: {} training images, LSTM({units}) over {rows} rows of {cols} pixels", train.len());

    let start = Instant::now();
    for epoch in 0..epochs {
        let t0 = Instant::now();
        let (mut total, mut batches) = (0.0, 0);
        for b in loader.epoch(epoch as u64)? {
            let (x, y) = b?;
            opt.zero_grad();
            let loss = cross_entropy(&net.forward(&Var::new(x)), &y);
            loss.backward();
            opt.step();
            total += loss.item();
            batches += 1;
        }
        eprintln!("epoch {}: loss {:.4} ({:.2} s)", epoch + 1, total / batches as f64, t0.elapsed().as_secs_f64());
    }
    let train_seconds = start.elapsed().as_secs_f64();

    let (x_test, y_test) = data.test();
    let mut predicted = Vec::with_capacity(x_test.shape()[0]);
    no_grad(|| {
        for s in (0..x_test.shape()[0]).step_by(1000) {
            let e = (s + 1000).min(x_test.shape()[0]);
            let logits = net.forward(&Var::new(x_test.slice(0, s, e, 1).contiguous()));
            predicted.extend(logits.value().argmax_indices(-1));
        }
    });
    let labels = y_test.to_vec::<f32>();
    let correct = predicted.iter().zip(&labels).filter(|&(&p, &y)| p == y as usize).count();
    let accuracy = correct as f64 / labels.len() as f64;
    println!("Test accuracy: {accuracy:.4}");
    let per_10k = train_seconds / epochs.max(1) as f64 * 10_000.0 / train.len() as f64;
    let round = |v: f64, d: f64| (v * d).round() / d;
    println!(
        "{}",
        serde_json::json!({
            "example": "sequence_classification",
            "dataset": name,
            "epochs": epochs,
            "train_size": train.len(),
            "test_accuracy": round(accuracy, 1e4),
            "train_seconds": round(train_seconds, 100.0),
            "seconds_per_10k_images": round(per_10k, 1000.0),
        })
    );
    Ok(())
}

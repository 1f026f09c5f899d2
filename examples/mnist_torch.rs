//! The seed program, PyTorch style: a `Net` of three `Linear` layers (784-64-64-10) trained
//! with logits + cross-entropy, Adam(lr 1e-3), mini-batches of 32 reshuffled each epoch, and
//! evaluated in eval mode under `no_grad`.
//!
//! ```text
//! cargo run --release --example mnist_torch                  # Fashion-MNIST, 5 epochs
//! cargo run --release --example mnist_torch -- --epochs 1 --dataset mnist --data-dir /path/to/mnist
//! ```
//!
//! Expected: about 0.85 test accuracy after one epoch on Fashion-MNIST; the last line is JSON:
//! `{"example":"mnist_torch","dataset":"fashion-mnist","epochs":1,"test_accuracy":0.85,"train_seconds":...}`.

#[path = "common/args.rs"]
mod args;

use std::time::Instant;

use kerosene::datasets::DataLoader;
use kerosene::optim::{Adam, Optimizer};
use kerosene::prelude::*;

struct Net {
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
}

impl Net {
    fn new(rng: &mut Rng) -> Net {
        Net { fc1: Linear::new(784, 64, rng), fc2: Linear::new(64, 64, rng), fc3: Linear::new(64, 10, rng) }
    }
}

impl Module for Net {
    fn forward(&self, x: &Var) -> Var {
        let x = self.fc1.forward(x).relu();
        let x = self.fc2.forward(&x).relu();
        self.fc3.forward(&x) // logits
    }

    fn visit(&self, v: &mut Visitor) {
        visit_modules!(v, self, fc1, fc2, fc3);
    }
}

fn main() -> kerosene::Result<()> {
    let args = args::Args::parse();
    let epochs = args.usize("epochs", 5);
    let (name, data) = args::load_images(&args)?;
    let train = data.train_dataset();
    let loader = DataLoader::new(&train, 32)?.shuffle(42);

    let net = Net::new(&mut Rng::new(0));
    let mut opt = Adam::new(net.parameters(), 1e-3);

    let start = Instant::now();
    for epoch in 0..epochs {
        net.train();
        let (mut total, mut batches) = (0.0, 0);
        for batch in loader.epoch(epoch as u64)? {
            let (x, y) = batch?;
            opt.zero_grad();
            let loss = cross_entropy(&net.forward(&Var::new(x)), &y);
            loss.backward();
            opt.step();
            total += loss.item();
            batches += 1;
        }
        eprintln!("epoch {}: loss {:.4}", epoch + 1, total / batches as f64);
    }
    let train_seconds = start.elapsed().as_secs_f64();

    net.eval();
    let (x_test, y_test) = data.test();
    let logits = no_grad(|| net.forward(&Var::new(x_test.clone())));
    let predicted = logits.value().argmax_indices(-1);
    let labels = y_test.to_vec::<f32>();
    let correct = predicted.iter().zip(&labels).filter(|&(&p, &y)| p == y as usize).count();
    let accuracy = correct as f64 / labels.len() as f64;
    println!("Test accuracy: {accuracy:.4}");
    println!(
        "{}",
        serde_json::json!({
            "example": "mnist_torch",
            "dataset": name,
            "epochs": epochs,
            "test_accuracy": (accuracy * 1e4).round() / 1e4,
            "train_seconds": (train_seconds * 100.0).round() / 100.0,
            "seconds_per_epoch": (train_seconds / epochs.max(1) as f64 * 100.0).round() / 100.0,
        })
    );
    Ok(())
}

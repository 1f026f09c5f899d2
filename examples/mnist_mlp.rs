//! The seed program, Keras style: a 784-64-64-10 MLP on Fashion-MNIST (or MNIST).
//!
//! ```text
//! cargo run --release --example mnist_mlp                    # Fashion-MNIST, 5 epochs
//! cargo run --release --example mnist_mlp -- --dataset mnist --data-dir /path/to/mnist
//! ```
//!
//! Expected: about 0.87 test accuracy on Fashion-MNIST after 5 epochs (0.97 on MNIST); the last
//! line is JSON, e.g.
//! `{"example":"mnist_mlp","dataset":"fashion-mnist","epochs":5,"test_accuracy":0.87,...}`.

#[path = "common/args.rs"]
mod args;

use std::time::Instant;

use kerosene::prelude::*;

fn main() -> kerosene::Result<()> {
    let args = args::Args::parse();
    let epochs = args.usize("epochs", 5);
    let (name, data) = args::load_images(&args)?;
    let (x_train, y_train) = data.train();
    let (x_test, y_test) = data.test();

    // The seed of initialization, shuffling and dropout (Sequential's default is 42).
    let seed = args.usize("seed", 42) as u64;
    let mut model = Sequential::new()
        .seed(seed)
        .add(Dense::new(64).activation(Activation::Relu).input_shape(&[28 * 28]))
        .add(Dense::new(64).activation(Activation::Relu))
        .add(Dense::new(10).activation(Activation::Softmax));
    model.compile(Adam::default(), Loss::SparseCategoricalCrossentropy, &[Metric::Accuracy])?;
    model.print_summary();

    let start = Instant::now();
    let history = model.fit(x_train, y_train, Fit::epochs(epochs).verbose(args.usize("verbose", 1) as u8))?;
    let train_seconds = start.elapsed().as_secs_f64();
    let scores = model.evaluate(x_test, y_test)?;
    println!("Test accuracy: {:.4}", scores["accuracy"]);
    println!(
        "{}",
        serde_json::json!({
            "example": "mnist_mlp",
            "dataset": name,
            "epochs": epochs,
            "seed": seed,
            "test_accuracy": (scores["accuracy"] * 1e4).round() / 1e4,
            "test_loss": (scores["loss"] * 1e4).round() / 1e4,
            "train_loss": history.last("loss").map(|v| (v * 1e4).round() / 1e4),
            "train_seconds": (train_seconds * 100.0).round() / 100.0,
            "seconds_per_epoch": (train_seconds / epochs.max(1) as f64 * 100.0).round() / 100.0,
        })
    );
    Ok(())
}

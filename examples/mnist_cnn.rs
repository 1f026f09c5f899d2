//! A small convolutional network, Keras style, on Fashion-MNIST (or MNIST):
//! Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool 2 -> Flatten ->
//! Dropout 0.5 -> Dense 128 relu -> Dense 10 softmax; Adam, batch 64. Channels-last images
//! `[N, 28, 28, 1]`.
//!
//! ```text
//! cargo run --release --example mnist_cnn                    # Fashion-MNIST, 5 epochs
//! cargo run --release --example mnist_cnn -- --epochs 1 --dataset mnist --data-dir /path/to/mnist
//! cargo run --release --example mnist_cnn -- --seed 1           # another initialization / order
//! ```
//!
//! Expected: at least 0.90 test accuracy on Fashion-MNIST after 5 epochs (about 0.99 on MNIST);
//! the last line is JSON with the accuracy and the time per epoch.

#[path = "common/args.rs"]
mod args;

use std::time::Instant;

use kerosene::prelude::*;

fn main() -> kerosene::Result<()> {
    let args = args::Args::parse();
    let epochs = args.usize("epochs", 5);
    let (name, data) = args::load_images(&args)?;
    let (x_train, x_test) = (data.train_images_nhwc(), data.test_images_nhwc());
    let (y_train, y_test) = (data.y_train(), data.y_test());

    // The seed of initialization, shuffling and dropout (Sequential's default is 42).
    let seed = args.usize("seed", 42) as u64;
    let mut model = Sequential::new()
        .seed(seed)
        .add(Conv2D::new(32, (3, 3)).activation(Activation::Relu).input_shape(&[28, 28, 1]))
        .add(MaxPooling2D::new((2, 2)))
        .add(Conv2D::new(64, (3, 3)).activation(Activation::Relu))
        .add(MaxPooling2D::new((2, 2)))
        .add(Flatten::new())
        .add(Dropout::new(0.5))
        .add(Dense::new(128).activation(Activation::Relu))
        .add(Dense::new(10).activation(Activation::Softmax));
    model.compile(Adam::default(), Loss::SparseCategoricalCrossentropy, &[Metric::Accuracy])?;
    model.print_summary();

    let start = Instant::now();
    let history =
        model.fit(&x_train, y_train, Fit::epochs(epochs).batch_size(64).verbose(args.usize("verbose", 1) as u8))?;
    let train_seconds = start.elapsed().as_secs_f64();
    let scores = model.evaluate_batched(&x_test, y_test, 256)?;
    println!("Test accuracy: {:.4}", scores["accuracy"]);
    let r = |v: f64, d: i32| (v * 10f64.powi(d)).round() / 10f64.powi(d);
    println!(
        "{}",
        serde_json::json!({
            "example": "mnist_cnn",
            "dataset": name,
            "epochs": epochs,
            "seed": seed,
            "test_accuracy": r(scores["accuracy"], 4),
            "test_loss": r(scores["loss"], 4),
            "train_loss": history.last("loss").map(|v| r(v, 4)),
            "train_seconds": r(train_seconds, 2),
            "seconds_per_epoch": r(train_seconds / epochs.max(1) as f64, 2),
        })
    );
    Ok(())
}

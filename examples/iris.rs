//! The 30-second tour on the embedded iris data: build, train, evaluate, save, load, predict.
//!
//! ```text
//! cargo run --release --example iris
//! ```
//!
//! Expected: test accuracy around 0.95-1.0; the reloaded model predicts exactly what the
//! original did; the last line is JSON.

use std::time::Instant;

use kerosene::datasets::{StandardScaler, train_test_split};
use kerosene::prelude::*;

fn main() -> kerosene::Result<()> {
    // 150 flowers, 4 measurements, 3 species.
    let iris = datasets::iris();
    let (train, test) = train_test_split(&iris.x, &iris.y, 0.3, 0)?;
    let scaler = StandardScaler::fit(train.x())?;
    let (x_train, x_test) = (scaler.transform(train.x())?, scaler.transform(test.x())?);

    let mut model = Sequential::new()
        .add(Dense::new(16).activation(Activation::Relu).input_shape(&[4]))
        .add(Dense::new(3).activation(Activation::Softmax));
    model.compile("adam", "sparse_categorical_crossentropy", &["accuracy"])?;
    model.print_summary();

    let start = Instant::now();
    model.fit(&x_train, train.y(), Fit::epochs(100).batch_size(16).verbose(0))?;
    let train_seconds = start.elapsed().as_secs_f64();
    let scores = model.evaluate(&x_test, test.y())?;
    println!("test accuracy {:.3}, loss {:.3}", scores["accuracy"], scores["loss"]);

    let path = std::env::temp_dir().join("kerosene-iris-example.kero");
    model.save(&path)?;
    let mut loaded = Sequential::load(&path)?;
    let (a, b) = (model.predict(&x_test)?, loaded.predict(&x_test)?);
    let identical = a == b;
    println!("saved to {}, reloaded: predictions identical = {identical}", path.display());
    let first = b.argmax_indices(-1)[0];
    println!("first test flower: predicted {}", iris.class_names[first]);
    std::fs::remove_file(&path).ok();

    println!(
        "{}",
        serde_json::json!({
            "example": "iris",
            "test_accuracy": (scores["accuracy"] * 1e4).round() / 1e4,
            "reloaded_identical": identical,
            "train_seconds": (train_seconds * 1000.0).round() / 1000.0,
        })
    );
    Ok(())
}

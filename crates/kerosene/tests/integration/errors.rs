//! Every bad input to the Keras-style API is an `Err` with a message a user understands,
//! reported before any training happens.

use kerosene::prelude::*;

fn model() -> Sequential {
    let mut m = Sequential::new()
        .add(Dense::new(16).activation(Activation::Relu).input_shape(&[784]))
        .add(Dense::new(10).activation(Activation::Softmax));
    m.compile("adam", "sparse_categorical_crossentropy", &["accuracy"]).unwrap();
    m
}

fn labels(n: usize) -> Tensor {
    Tensor::from_vec((0..n).map(|i| (i % 10) as f32).collect(), &[n])
}

fn err(r: kerosene::Result<impl std::fmt::Debug>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn x_and_y_of_different_lengths() {
    let mut m = model();
    let e = err(m.fit(&Tensor::zeros(&[600, 784]), &labels(599), Fit::epochs(1).verbose(0)));
    assert_eq!(e, "x has 600 samples, y has 599");
}

#[test]
fn feature_size_that_does_not_match_the_first_layer() {
    let mut m = model();
    let e = err(m.fit(&Tensor::zeros(&[32, 100]), &labels(32), Fit::epochs(1).verbose(0)));
    assert_eq!(
        e,
        "x does not fit the model: layer \"dense\" expected axis -1 of input shape to have value 784, but received input with shape [100]"
    );
    let e = err(m.predict(&Tensor::zeros(&[2, 100])));
    assert!(e.contains("layer \"dense\" expected axis -1 of input shape to have value 784"), "{e}");
}

#[test]
fn labels_out_of_range_for_the_output_layer() {
    let mut m = model();
    let mut y = labels(64).to_vec::<f32>();
    y[37] = 12.0;
    let e = err(m.fit(&Tensor::zeros(&[64, 784]), &Tensor::from_vec(y, &[64]), Fit::epochs(1).verbose(0)));
    assert_eq!(
        e,
        "y: label 12 at index 37 is out of range for the output layer \"dense_1\" with 10 units (labels must be whole numbers in 0..10)"
    );
    let e = err(m.evaluate(&Tensor::zeros(&[2, 784]), &Tensor::from_vec(vec![0.0f32, -1.0], &[2])));
    assert!(e.contains("label -1 at index 1"), "{e}");
}

#[test]
fn empty_data_and_splits_that_leave_nothing() {
    let mut m = model();
    let e = err(m.fit(&Tensor::zeros(&[0, 784]), &labels(0), Fit::epochs(1).verbose(0)));
    assert_eq!(e, "x is empty: shape [0, 784] has no samples");
    let e = err(m.fit(&Tensor::zeros(&[10, 784]), &labels(10), Fit::epochs(1).verbose(0).validation_split(0.05)));
    assert_eq!(
        e,
        "validation_split 0.05 of 10 samples leaves 10 for training and 0 for validation; both need at least one"
    );
    let e = err(m.fit(&Tensor::zeros(&[10, 784]), &labels(10), Fit::epochs(1).verbose(0).validation_split(1.0)));
    assert_eq!(e, "validation_split must be in [0, 1), got 1");
}

#[test]
fn batch_size_zero() {
    let mut m = model();
    let e = err(m.fit(&Tensor::zeros(&[10, 784]), &labels(10), Fit::epochs(1).verbose(0).batch_size(0)));
    assert_eq!(e, "batch_size must be at least 1, got 0");
    assert_eq!(err(m.predict_batched(&Tensor::zeros(&[1, 784]), 0)), "batch_size must be at least 1, got 0");
}

#[test]
fn a_loss_that_does_not_fit_the_output() {
    let mut m = model();
    let onehot = labels(8).one_hot(10);
    let e = err(m.fit(&Tensor::zeros(&[8, 784]), &onehot, Fit::epochs(1).verbose(0)));
    assert_eq!(
        e,
        "sparse_categorical_crossentropy expects integer labels of per-sample shape [] for the output of layer \"dense_1\" (per-sample shape [10]); y has per-sample shape [10] (one-hot labels? use categorical_crossentropy)"
    );
    let mut c = Sequential::new().add(Dense::new(10).activation(Activation::Softmax).input_shape(&[784]));
    c.compile("adam", "categorical_crossentropy", ()).unwrap();
    let e = err(c.fit(&Tensor::zeros(&[8, 784]), &labels(8), Fit::epochs(1).verbose(0)));
    assert_eq!(
        e,
        "categorical_crossentropy expects targets of per-sample shape [10] (the output of layer \"dense\"); y has per-sample shape [] (integer labels? use sparse_categorical_crossentropy)"
    );
    let mut r = Sequential::new().add(Dense::new(1).input_shape(&[3]));
    r.compile("sgd", "mse", ()).unwrap();
    let e = err(r.fit(&Tensor::zeros(&[4, 3]), &Tensor::zeros(&[4, 2]), Fit::epochs(1).verbose(0)));
    assert_eq!(
        e,
        "mean_squared_error expects targets of per-sample shape [1] (the output of layer \"dense\"); y has per-sample shape [2]"
    );
}

#[test]
fn not_compiled_unknown_names_and_nan_inputs() {
    let mut m = Sequential::new().add(Dense::new(2).input_shape(&[3]));
    let e = err(m.fit(&Tensor::zeros(&[4, 3]), &labels(4), Fit::epochs(1)));
    assert_eq!(e, "the model is not compiled; call compile(optimizer, loss, metrics) first");
    assert!(err(m.compile("adamm", "mse", ())).starts_with("unknown optimizer \"adamm\""));
    assert!(err(m.compile("adam", "msee", ())).starts_with("unknown loss \"msee\""));
    assert!(err(m.compile("adam", "mse", &["acuracy"])).starts_with("unknown metric \"acuracy\""));
    m.compile("adam", "mse", ()).unwrap();
    let mut x = vec![0.0f32; 12];
    x[5] = f32::NAN;
    let e = err(m.fit(&Tensor::from_vec(x, &[4, 3]), &Tensor::zeros(&[4, 2]), Fit::epochs(1).verbose(0)));
    assert_eq!(e, "x contains NaN or infinite values");
    assert_eq!(err(Sequential::new().compile("adam", "mse", ())), "the model has no layers; add some before compile");
}

#[test]
fn nothing_was_trained_after_an_error() {
    let mut m = model();
    let before = m.state_dict();
    let _ = m.fit(&Tensor::zeros(&[64, 784]), &labels(63), Fit::epochs(1).verbose(0));
    assert_eq!(m.state_dict(), before);
}

//! Training gives the same bits whatever the number of threads: products, convolutions,
//! pooling and recurrent layers split their work across rayon's pool in ways that never change
//! the order of any sum (docs/performance.md, "Determinism"). Each model is big enough for its
//! products and layers to be split on 2 and 3 threads.

use kerosene::nn::StateDict;
use kerosene::prelude::*;

/// Trains a fresh copy of `build()` for a few steps inside a pool of `threads` threads and
/// returns its state dict and the losses.
fn train_on(threads: usize, build: &(dyn Fn() -> Sequential + Sync), x: &Tensor, y: &Tensor) -> (StateDict, Vec<f64>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let mut model = build();
        model.compile(Adam::default(), Loss::SparseCategoricalCrossentropy, ()).unwrap();
        let h = model.fit(x, y, Fit::epochs(2).batch_size(64).verbose(0)).unwrap();
        (model.state_dict(), h.get("loss").unwrap().to_vec())
    })
}

fn assert_same_on_1_2_3_threads(name: &str, build: &(dyn Fn() -> Sequential + Sync), x: &Tensor, y: &Tensor) {
    let (w1, l1) = train_on(1, build, x, y);
    assert!(l1.iter().all(|l| l.is_finite()), "{name}: {l1:?}");
    for t in [2, 3] {
        let (wt, lt) = train_on(t, build, x, y);
        assert_eq!(l1, lt, "{name}: losses on {t} threads differ from 1 thread");
        assert!(w1 == wt, "{name}: weights after training on {t} threads differ from 1 thread");
    }
}

fn data(shape: &[usize], n: usize, seed: u64) -> (Tensor, Tensor) {
    let mut rng = Rng::new(seed);
    let mut full = vec![n];
    full.extend_from_slice(shape);
    let x = Tensor::rand_uniform(&full, 0.0, 1.0, &mut rng);
    let y = Tensor::from_vec((0..n).map(|_| rng.below(10) as f32).collect(), &[n]);
    (x, y)
}

#[test]
fn mlp_training_is_bitwise_the_same_on_any_thread_count() {
    // Batch 64 x 784 x 256: above the GEMM's threading threshold, forward and backward.
    let (x, y) = data(&[784], 256, 1);
    let build = || {
        Sequential::new()
            .seed(3)
            .add(Dense::new(256).activation(Activation::Relu).input_shape(&[784]))
            .add(Dense::new(10).activation(Activation::Softmax))
    };
    assert_same_on_1_2_3_threads("mlp", &build, &x, &y);
}

#[test]
fn cnn_training_is_bitwise_the_same_on_any_thread_count() {
    let (x, y) = data(&[16, 16, 1], 128, 2);
    let build = || {
        Sequential::new()
            .seed(4)
            .add(Conv2D::new(16, (3, 3)).activation(Activation::Relu).input_shape(&[16, 16, 1]))
            .add(MaxPooling2D::new((2, 2)))
            .add(Conv2D::new(16, (3, 3)).padding(Padding::Same).activation(Activation::Relu))
            .add(AveragePooling2D::new((2, 2)))
            .add(Flatten::new())
            .add(Dense::new(10).activation(Activation::Softmax))
    };
    assert_same_on_1_2_3_threads("cnn", &build, &x, &y);
}

#[test]
fn lstm_and_gru_training_is_bitwise_the_same_on_any_thread_count() {
    // Batch 64 of 12 steps: the recurrent layers split the batch across threads.
    let (x, y) = data(&[12, 8], 128, 3);
    let build = || {
        Sequential::new()
            .seed(5)
            .add(LSTM::new(64).return_sequences(true).input_shape(&[12, 8]))
            .add(GRU::new(64))
            .add(Dense::new(10).activation(Activation::Softmax))
    };
    assert_same_on_1_2_3_threads("lstm+gru", &build, &x, &y);
}

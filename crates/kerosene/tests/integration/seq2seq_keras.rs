//! A sequence-to-sequence model, Keras style, end to end: the classic encoder-decoder
//! `Embedding -> LSTM -> RepeatVector -> LSTM(return_sequences) -> TimeDistributed(Dense(softmax))`
//! built with `Sequential`, compiled with Adam and sparse categorical cross-entropy on per-step
//! integer labels `[N, T]`, learns to reverse digit sequences it has never seen; and the usual
//! shape mistakes of such models are errors that name the shapes.

use std::collections::HashSet;

use kerosene::prelude::*;

const VOCAB: usize = 10;
const LEN: usize = 5;

/// `n` distinct random digit sequences of length `LEN` that are not in `exclude`, and their
/// reversals: `x: [n, LEN]` ids (as floats, which `Embedding` takes) and `y: [n, LEN]` labels.
/// Also returns the sequences drawn, to keep a held-out set disjoint from them.
fn reversal(n: usize, rng: &mut Rng, exclude: &HashSet<Vec<usize>>) -> (Tensor, Tensor, HashSet<Vec<usize>>) {
    let mut drawn = HashSet::new();
    let (mut x, mut y) = (Vec::with_capacity(n * LEN), Vec::with_capacity(n * LEN));
    while drawn.len() < n {
        let s: Vec<usize> = (0..LEN).map(|_| rng.below(VOCAB)).collect();
        if exclude.contains(&s) || !drawn.insert(s.clone()) {
            continue;
        }
        x.extend(s.iter().map(|&d| d as f32));
        y.extend(s.iter().rev().map(|&d| d as f32));
    }
    (Tensor::from_vec(x, &[n, LEN]), Tensor::from_vec(y, &[n, LEN]), drawn)
}

fn encoder_decoder(units: usize) -> Sequential {
    Sequential::new()
        .seed(7)
        .add(Embedding::new(VOCAB, 16))
        .add(LSTM::new(units)) // encoder: its last output summarizes the sequence
        .add(RepeatVector::new(LEN)) // the summary, fed to every decoder step
        .add(LSTM::new(units).return_sequences(true)) // decoder
        .add(TimeDistributed::new(Dense::new(VOCAB).activation(Activation::Softmax)))
}

#[test]
fn encoder_decoder_learns_to_reverse_sequences() {
    let mut rng = Rng::new(2024);
    let (x, y, train_set) = reversal(4000, &mut rng, &HashSet::new());
    let (x_test, y_test, _) = reversal(500, &mut rng, &train_set);

    let mut model = encoder_decoder(64);
    model.compile(Adam::new(vec![], 0.01), Loss::SparseCategoricalCrossentropy, &[Metric::Accuracy]).unwrap();
    let before = model.evaluate(&x_test, &y_test).unwrap();
    assert_eq!(model.output_shape(), Some(vec![LEN, VOCAB]));
    // Untrained: about uniform over the vocabulary, about chance accuracy.
    assert!((before["loss"] - (VOCAB as f64).ln()).abs() < 0.05, "{before:?}");
    assert!(before["accuracy"] < 0.2, "{before:?}");

    let history = model.fit(&x, &y, Fit::epochs(10).batch_size(64).verbose(0)).unwrap();
    let loss = history.get("loss").unwrap();
    assert_eq!(loss.len(), 10);
    assert!(loss[9] < loss[0] * 0.25, "training loss {loss:?}");
    assert!(history.last("accuracy").unwrap() >= 0.85, "{:?}", history.history);

    // Held-out sequences (none seen in training): per-token accuracy far above chance (0.1).
    let after = model.evaluate(&x_test, &y_test).unwrap();
    assert!(after["accuracy"] >= 0.85, "{after:?}");
    assert!(after["loss"] < before["loss"] * 0.2, "{before:?} -> {after:?}");

    // predict: per-step class probabilities.
    let probs = model.predict(&x_test).unwrap();
    assert_eq!(probs.shape(), &[500, LEN, VOCAB]);
    let sums = probs.sum(&[-1], false).to_vec::<f32>();
    assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-4), "rows must sum to 1: {sums:?}");
    // evaluate's accuracy is the per-token accuracy of predict's argmax over all N x T steps.
    let pred = probs.argmax(-1, false).to_vec::<f64>();
    let truth = y_test.to_vec::<f64>();
    let hits = pred.iter().zip(&truth).filter(|(p, t)| p == t).count();
    let token_accuracy = hits as f64 / truth.len() as f64;
    assert!((token_accuracy - after["accuracy"]).abs() < 1e-9, "{token_accuracy} vs {after:?}");
    let exact = pred.chunks(LEN).zip(truth.chunks(LEN)).filter(|(p, t)| p == t).count() as f64 / 500.0;
    eprintln!(
        "seq2seq reversal: held-out loss {:.4} -> {:.4}, token accuracy {token_accuracy:.4}, whole sequences {exact:.4}",
        before["loss"], after["loss"]
    );
}

fn err(r: kerosene::Result<impl std::fmt::Debug>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn sequence_shape_mistakes_are_errors_that_name_the_shapes() {
    let (x, y, _) = reversal(16, &mut Rng::new(1), &HashSet::new());
    let quiet = || Fit::epochs(1).verbose(0);
    let compiled = |mut m: Sequential| {
        m.compile("adam", "sparse_categorical_crossentropy", &["accuracy"]).unwrap();
        m
    };

    // Labels one step too long.
    let mut model = compiled(encoder_decoder(8));
    let long = Tensor::zeros(&[16, LEN + 1]);
    assert_eq!(
        err(model.fit(&x, &long, quiet())),
        "sparse_categorical_crossentropy expects integer labels of per-sample shape [5] for the output of layer \"time_distributed\" (per-sample shape [5, 10]); y has per-sample shape [6]"
    );
    assert!(err(model.evaluate(&x, &long)).contains("y has per-sample shape [6]"));

    // One-hot labels [N, T, V] with the sparse loss.
    assert_eq!(
        err(model.fit(&x, &y.one_hot(VOCAB), quiet())),
        "sparse_categorical_crossentropy expects integer labels of per-sample shape [5] for the output of layer \"time_distributed\" (per-sample shape [5, 10]); y has per-sample shape [5, 10] (one-hot labels? use categorical_crossentropy)"
    );

    // A label out of range; the index is the flat position in y.
    let mut bad = y.to_vec::<f32>();
    bad[7] = 10.0;
    assert_eq!(
        err(model.fit(&x, &Tensor::from_vec(bad, &[16, LEN]), quiet())),
        "y: label 10 at index 7 is out of range for the output layer \"time_distributed\" with 10 units (labels must be whole numbers in 0..10)"
    );

    // A decoder without return_sequences: one prediction per sequence, not per step.
    let mut last_only = compiled(
        Sequential::new()
            .add(Embedding::new(VOCAB, 4))
            .add(LSTM::new(8))
            .add(RepeatVector::new(LEN))
            .add(LSTM::new(8))
            .add(Dense::new(VOCAB).activation(Activation::Softmax)),
    );
    assert_eq!(
        err(last_only.fit(&x, &y, quiet())),
        "sparse_categorical_crossentropy expects integer labels of per-sample shape [] for the output of layer \"dense\" (per-sample shape [10]); y has per-sample shape [5]"
    );

    // No RepeatVector between the encoder's last output and the decoder.
    let mut no_repeat = compiled(
        Sequential::new()
            .add(Embedding::new(VOCAB, 4))
            .add(LSTM::new(8))
            .add(LSTM::new(8).return_sequences(true))
            .add(TimeDistributed::new(Dense::new(VOCAB).activation(Activation::Softmax))),
    );
    assert_eq!(
        err(no_repeat.fit(&x, &y, quiet())),
        "x does not fit the model: layer \"lstm_1\" expects inputs of rank 2 (without the batch axis), got per-sample shape [8]"
    );
    assert!(!no_repeat.is_built());
}

#[test]
fn an_embedding_with_input_shape_builds_the_model_at_compile() {
    let mut model = Sequential::new()
        .add(Embedding::new(VOCAB, 8).input_shape(&[LEN]))
        .add(LSTM::new(16))
        .add(RepeatVector::new(LEN))
        .add(LSTM::new(16).return_sequences(true))
        .add(TimeDistributed::new(Dense::new(VOCAB).activation(Activation::Softmax)));
    assert_eq!(model.output_shape(), None);
    model.compile(Adam::default().lr(0.01), Loss::SparseCategoricalCrossentropy, ()).unwrap();
    assert_eq!(model.output_shape(), Some(vec![LEN, VOCAB]));
    assert!(model.summary().contains("(None, 5, 8)"), "{}", model.summary());
}

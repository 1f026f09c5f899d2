//! Keras-style training end to end on small real data: fit reduces the loss, History records
//! it, validation works, callbacks act, and the softmax + cross-entropy pairing is fused.

use kerosene::callbacks::{Callback, FitInfo, Logs};
use kerosene::datasets::{StandardScaler, train_test_split};
use kerosene::prelude::*;

fn iris_scaled() -> (Tensor, Tensor) {
    let iris = datasets::iris();
    let x = StandardScaler::fit(&iris.x).unwrap().transform(&iris.x).unwrap();
    // Shuffle once so that a validation split (the last samples) sees every class.
    let order = Rng::new(3).permutation(150);
    (x.index_select(0, &order), iris.y.index_select(0, &order))
}

fn mlp(seed: u64) -> Sequential {
    Sequential::new()
        .seed(seed)
        .add(Dense::new(16).activation(Activation::Relu).input_shape(&[4]))
        .add(Dense::new(3).activation(Activation::Softmax))
}

#[test]
fn fit_learns_iris_and_records_history() {
    let (x, y) = iris_scaled();
    let mut model = mlp(1);
    let mut adam = Adam::default();
    adam.set_learning_rate(0.01);
    model.compile(adam, "sparse_categorical_crossentropy", &["accuracy"]).unwrap();
    let h = model.fit(&x, &y, Fit::epochs(30).batch_size(16).validation_split(0.2).verbose(0)).unwrap();
    let loss = h.get("loss").unwrap();
    assert_eq!(loss.len(), 30);
    assert!(loss[29] < loss[0] * 0.5, "loss {} -> {}", loss[0], loss[29]);
    assert!(h.last("val_accuracy").unwrap() >= 0.85, "{:?}", h.history);
    assert!(h.get("val_loss").is_some() && h.get("accuracy").is_some());
    let scores = model.evaluate(&x, &y).unwrap();
    assert!(scores["accuracy"] > 0.9, "{scores:?}");
}

#[test]
fn softmax_output_takes_the_fused_logits_path() {
    // Same weights, same data: Dense(softmax) + sparse CE on probabilities equals
    // Dense(linear) + sparse CE from logits, in loss and in every update.
    let (x, y) = iris_scaled();
    let mut a = mlp(5);
    let mut b =
        Sequential::new().seed(5).add(Dense::new(16).activation(Activation::Relu).input_shape(&[4])).add(Dense::new(3));
    a.compile(Sgd::new(vec![], 0.1), Loss::SparseCategoricalCrossentropy, ()).unwrap();
    b.compile(Sgd::new(vec![], 0.1), Loss::SparseCategoricalCrossentropy.from_logits(), ()).unwrap();
    let ha = a.fit(&x, &y, Fit::epochs(3).verbose(0)).unwrap();
    let hb = b.fit(&x, &y, Fit::epochs(3).verbose(0)).unwrap();
    assert_eq!(ha.get("loss"), hb.get("loss"));
    assert_eq!(a.state_dict(), b.state_dict());
    // Even extreme logits give a finite loss through the fused path.
    let big = x.mul_scalar(1e4);
    assert!(a.evaluate(&big, &y).unwrap()["loss"].is_finite());
}

#[test]
fn regression_with_mae_metric() {
    let d = datasets::diabetes();
    let (train, _) = train_test_split(&d.x, &d.y, 0.2, 1).unwrap();
    let x = StandardScaler::fit(train.x()).unwrap().transform(train.x()).unwrap();
    let y = train.y().add_scalar(-150.0).mul_scalar(1.0 / 75.0).reshape(&[-1, 1]);
    let mut model = Sequential::new().add(Dense::new(8).activation(Activation::Relu)).add(Dense::new(1));
    model.compile("adam", "mse", &["mae"]).unwrap();
    let h = model.fit(&x, &y, Fit::epochs(20).verbose(0)).unwrap();
    let (first, last) = (h.get("loss").unwrap()[0], h.last("loss").unwrap());
    assert!(last < first * 0.8, "{first} -> {last}");
    assert!(h.last("mae").unwrap() > 0.0);
}

#[test]
fn early_stopping_stops_and_restores_the_best_weights() {
    let (x, y) = iris_scaled();
    let mut model = mlp(2);
    model.compile(Sgd::new(vec![], 1e-9), "sparse_categorical_crossentropy", &["accuracy"]).unwrap();
    // A learning rate of 1e-9 cannot improve val_loss by min_delta 0.1: stop after patience 2.
    let h = model
        .fit(
            &x,
            &y,
            Fit::epochs(50)
                .validation_split(0.2)
                .verbose(0)
                .callback(EarlyStopping::new("val_loss").patience(2).min_delta(0.1).restore_best_weights(true)),
        )
        .unwrap();
    assert_eq!(h.epoch, vec![0, 1, 2]);
}

#[test]
fn reduce_lr_on_plateau_and_scheduler_change_the_learning_rate() {
    let (x, y) = iris_scaled();
    let mut model = mlp(3);
    model.compile(Sgd::new(vec![], 1e-9), "sparse_categorical_crossentropy", ()).unwrap();
    model
        .fit(
            &x,
            &y,
            Fit::epochs(4).verbose(0).callback(ReduceLROnPlateau::new("loss").patience(1).factor(0.5).min_delta(1.0)),
        )
        .unwrap();
    // The first epoch sets the best; epochs 2, 3, 4 do not improve by 1.0: halved three times.
    assert!((model.learning_rate().unwrap() - 1e-9 / 8.0).abs() < 1e-18);
    model
        .fit(&x, &y, Fit::epochs(3).verbose(0).callback(LearningRateScheduler::new(|e, _| 0.1 / (e + 1) as f64)))
        .unwrap();
    assert!((model.learning_rate().unwrap() - 0.1 / 3.0).abs() < 1e-12);
}

#[test]
fn terminate_on_nan_and_csv_logger() {
    let (x, y) = iris_scaled();
    let mut model = mlp(4);
    model.compile(Sgd::new(vec![], 1e6), "sparse_categorical_crossentropy", ()).unwrap();
    let csv = std::env::temp_dir().join(format!("kerosene-fit-test-{}.csv", std::process::id()));
    let h = model
        .fit(
            &x.mul_scalar(1e3),
            &y,
            Fit::epochs(20).verbose(0).callback(TerminateOnNaN::new()).callback(CsvLogger::new(&csv)),
        )
        .unwrap();
    assert!(h.epoch.len() < 20, "training must stop on a non-finite loss");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::remove_file(&csv).ok();
    assert!(text.starts_with("epoch,loss\n"), "{text}");
    assert_eq!(text.lines().count(), h.epoch.len() + 1);
}

/// A user callback that records the order of calls.
struct Recorder(Vec<String>);

impl Callback for Recorder {
    fn on_train_begin(&mut self, info: &FitInfo, _m: &mut Sequential) -> kerosene::Result<()> {
        self.0.push(format!("begin {} steps", info.steps));
        Ok(())
    }
    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, m: &mut Sequential) -> kerosene::Result<()> {
        self.0.push(format!("epoch {epoch} {}", logs.contains_key("loss")));
        if epoch == 1 {
            m.stop_training();
        }
        Ok(())
    }
    fn on_train_end(&mut self, _logs: &Logs, _m: &mut Sequential) -> kerosene::Result<()> {
        self.0.push("end".into());
        Ok(())
    }
}

#[test]
fn user_callbacks_see_the_loop_and_can_stop_it() {
    let (x, y) = iris_scaled();
    let mut model = mlp(6);
    model.compile("adam", "sparse_categorical_crossentropy", ()).unwrap();
    let rec = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<String>>>, Recorder);
    impl Callback for Shared {
        fn on_train_begin(&mut self, i: &FitInfo, m: &mut Sequential) -> kerosene::Result<()> {
            self.1.on_train_begin(i, m)
        }
        fn on_epoch_end(&mut self, e: usize, l: &Logs, m: &mut Sequential) -> kerosene::Result<()> {
            self.1.on_epoch_end(e, l, m)
        }
        fn on_train_end(&mut self, l: &Logs, m: &mut Sequential) -> kerosene::Result<()> {
            self.1.on_train_end(l, m)?;
            *self.0.lock().unwrap() = self.1.0.clone();
            Ok(())
        }
    }
    let h = model
        .fit(&x, &y, Fit::epochs(10).batch_size(50).verbose(0).callback(Shared(rec.clone(), Recorder(vec![]))))
        .unwrap();
    assert_eq!(h.epoch, vec![0, 1]);
    assert_eq!(*rec.lock().unwrap(), vec!["begin 3 steps", "epoch 0 true", "epoch 1 true", "end"]);
}

#[test]
fn summary_counts_trainable_and_non_trainable_parameters() {
    let mut model = Sequential::new()
        .add(Dense::new(8).input_shape(&[4]))
        .add(BatchNormalization::new())
        .add(Dropout::new(0.5))
        .add(Dense::new(2).activation(Activation::Softmax));
    let s = model.summary();
    assert!(s.contains("batch_normalization (BatchNormalization)"), "{s}");
    // dense 40, bn gamma/beta 16 trainable + 16 moving statistics, dense_1 18
    assert!(s.contains("Total params: 90 "), "{s}");
    assert!(s.contains("Trainable params: 74 "), "{s}");
    assert!(s.contains("Non-trainable params: 16 "), "{s}");
    assert!(s.contains("dropout (Dropout)") && s.contains("dense_1 (Dense)"), "{s}");
}

#[test]
fn predict_runs_in_batches_without_a_graph() {
    let (x, _) = iris_scaled();
    let mut model = mlp(7);
    let p = model.predict(&x).unwrap();
    assert_eq!(p.shape(), &[150, 3]);
    let rows = p.sum(&[-1], false).to_vec::<f32>();
    assert!(rows.iter().all(|s| (s - 1.0).abs() < 1e-5));
    assert_eq!(model.predict_batched(&x, 7).unwrap(), p);
}

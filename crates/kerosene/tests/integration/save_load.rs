//! Saving and loading: bit-identical predictions after a round trip, exact resumption of
//! training, atomic writes, and clear errors for every kind of bad file.

use std::path::PathBuf;

use kerosene::prelude::*;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kerosene-save-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn data() -> (Tensor, Tensor) {
    let iris = datasets::iris();
    let x = iris.x.add_scalar(-3.0).mul_scalar(0.5);
    (x, iris.y.clone())
}

fn model() -> Sequential {
    let mut m = Sequential::new()
        .seed(9)
        .add(Dense::new(12).activation(Activation::Relu).input_shape(&[4]))
        .add(Dropout::new(0.25))
        .add(BatchNormalization::new())
        .add(Dense::new(3).activation(Activation::Softmax));
    m.compile("adam", "sparse_categorical_crossentropy", &["accuracy"]).unwrap();
    m
}

#[test]
fn save_then_load_predicts_bit_identically() {
    let (x, y) = data();
    let mut m = model();
    m.fit(&x, &y, Fit::epochs(3).verbose(0)).unwrap();
    let p = tmp("roundtrip.kero");
    m.save(&p).unwrap();
    let mut back = Sequential::load(&p).unwrap();
    assert_eq!(m.predict(&x).unwrap(), back.predict(&x).unwrap());
    assert_eq!(
        back.layers().iter().map(|l| l.name().to_string()).collect::<Vec<_>>(),
        ["dense", "dropout", "batch_normalization", "dense_1"]
    );
    assert_eq!(back.loss(), Some(Loss::SparseCategoricalCrossentropy));
}

#[test]
fn training_resumed_from_a_checkpoint_continues_exactly() {
    let (x, y) = data();
    let mut straight = model();
    straight.fit(&x, &y, Fit::epochs(4).batch_size(16).verbose(0)).unwrap();

    let mut first = model();
    first.fit(&x, &y, Fit::epochs(2).batch_size(16).verbose(0)).unwrap();
    let p = tmp("resume.kero");
    first.save(&p).unwrap();
    drop(first);
    let mut resumed = Sequential::load(&p).unwrap();
    resumed.fit(&x, &y, Fit::epochs(4).initial_epoch(2).batch_size(16).verbose(0)).unwrap();

    // Same weights, optimizer moments, BatchNormalization statistics and dropout state.
    assert_eq!(straight.state_dict(), resumed.state_dict());
    assert_eq!(straight.optimizer().unwrap().state_dict(), resumed.optimizer().unwrap().state_dict());
}

#[test]
fn checkpoint_callback_saves_the_best_epoch() {
    let (x, y) = data();
    let mut m = model();
    let p = tmp("best.kero");
    m.fit(
        &x,
        &y,
        Fit::epochs(3)
            .verbose(0)
            .callback(ModelCheckpoint::new(p.to_str().unwrap()).monitor("loss").save_best_only(true)),
    )
    .unwrap();
    let mut back = Sequential::load(&p).unwrap();
    assert!(back.evaluate(&x, &y).unwrap()["loss"].is_finite());
}

#[test]
fn weights_round_trip_and_mismatch_report() {
    let (x, _) = data();
    let mut m = model();
    let p = tmp("weights.kero");
    m.save_weights(&p).unwrap();
    let mut same = model();
    same.load_weights(&p).unwrap();
    assert_eq!(m.predict(&x).unwrap(), same.predict(&x).unwrap());

    let mut other = Sequential::new()
        .add(Dense::new(12).activation(Activation::Relu).input_shape(&[4]))
        .add(Dense::new(5))
        .add(Dense::new(3));
    let e = other.load_weights(&p).unwrap_err().to_string();
    assert_eq!(
        e,
        "weights do not match the model:\n  missing: dense_2.kernel\n  missing: dense_2.bias\n  unexpected: dropout.seed_generator_state\n  unexpected: batch_normalization.gamma\n  unexpected: batch_normalization.beta\n  unexpected: batch_normalization.moving_mean\n  unexpected: batch_normalization.moving_variance\n  wrong shape: dense_1.kernel: model has [12, 5], file has [12, 3]\n  wrong shape: dense_1.bias: model has [5], file has [3]"
    );
}

fn file_error(bytes: &[u8], name: &str) -> String {
    let p = tmp(name);
    std::fs::write(&p, bytes).unwrap();
    let e = Sequential::load(&p).unwrap_err().to_string();
    e.strip_prefix(&format!("{}: ", p.display())).unwrap_or(&e).to_string()
}

#[test]
fn bad_files_say_what_is_wrong() {
    let m = model();
    let p = tmp("good.kero");
    m.save(&p).unwrap();
    let good = std::fs::read(&p).unwrap();

    assert_eq!(
        file_error(b"PK\x03\x04 a zip file", "foreign.kero"),
        "not a Kerosene file (the magic bytes \"KEROSENE\" are missing)"
    );
    assert_eq!(file_error(&good[..20], "short.kero"), "truncated: 20 bytes, shorter than the 51-byte header");
    let n = good.len() - 51;
    assert_eq!(
        file_error(&good[..good.len() - 10], "cut.kero"),
        format!("truncated: the header announces {n} bytes of data, the file has {}", n - 10)
    );
    let mut newer = good.clone();
    newer[8] = 9;
    assert_eq!(
        file_error(&newer, "newer.kero"),
        "written by a newer Kerosene (format version 9; this build reads up to 1)"
    );
    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0x40;
    assert_eq!(file_error(&flipped, "flipped.kero"), "corrupted: the checksum of the data does not match");
    let wp = tmp("w.kero");
    m.save_weights(&wp).unwrap();
    let e = Sequential::load(&wp).unwrap_err().to_string();
    assert!(e.ends_with("is a weights file (use load_weights), not a model file (use Sequential::load)"), "{e}");
    // A valid checksum over garbage: the decoder must refuse it without panicking or allocating
    // without bound.
    let mut forged = good[..51].to_vec();
    let garbage: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8 | 0x80).collect();
    forged[11..19].copy_from_slice(&(garbage.len() as u64).to_le_bytes());
    use sha2::Digest;
    forged[19..51].copy_from_slice(&sha2::Sha256::digest(&garbage));
    forged.extend_from_slice(&garbage);
    assert!(file_error(&forged, "forged.kero").starts_with("corrupted: cannot decode the data"));
    let e = Sequential::load(tmp("missing.kero")).unwrap_err().to_string();
    assert!(e.contains("No such file"), "{e}");
}

#[test]
fn saving_is_atomic_and_leaves_no_temporary_files() {
    let m = model();
    let dir = std::env::temp_dir().join(format!("kerosene-atomic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("m.kero");
    m.save(&p).unwrap();
    m.save(&p).unwrap(); // overwrite in place
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["m.kero"]);
    // Saving into a missing directory fails cleanly and does not touch the existing file.
    let before = std::fs::read(&p).unwrap();
    assert!(m.save(dir.join("no/such/dir/m.kero")).is_err());
    assert_eq!(std::fs::read(&p).unwrap(), before);
    std::fs::remove_dir_all(&dir).ok();
}

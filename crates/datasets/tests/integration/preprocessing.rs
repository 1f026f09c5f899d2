//! Scalers and splits: fitted on train, applied to test; constant columns; seeded, disjoint splits.

use kerosene_datasets::{
    Dataset, MinMaxScaler, StandardScaler, TensorDataset, split_indices, train_test_split, validation_split,
};
use kerosene_tensor::Tensor;
use proptest::prelude::*;

fn column_stats(x: &Tensor) -> Vec<(f64, f64)> {
    let (n, f) = (x.shape()[0], x.shape()[1]);
    let v = x.to_vec_f64();
    (0..f)
        .map(|j| {
            let m = (0..n).map(|i| v[i * f + j]).sum::<f64>() / n as f64;
            let var = (0..n).map(|i| (v[i * f + j] - m).powi(2)).sum::<f64>() / n as f64;
            (m, var.sqrt())
        })
        .collect()
}

#[test]
fn standard_scaler_centres_and_scales_train_and_reuses_train_statistics() {
    let wine = kerosene_datasets::wine();
    let (train, test) = wine.train_test_split(0.25, 3).unwrap();
    let scaler = StandardScaler::fit(train.x()).unwrap();
    let xt = scaler.transform(train.x()).unwrap();
    for (m, s) in column_stats(&xt) {
        assert!(m.abs() < 1e-5, "mean {m}");
        assert!((s - 1.0).abs() < 1e-4, "std {s}");
    }
    // Test data uses the training mean / std, so it is only approximately standardized.
    let xs = scaler.transform(test.x()).unwrap();
    assert_eq!(xs.shape(), test.x().shape());
    let expect = (test.x().at(&[0, 12]) - scaler.mean()[12]) / scaler.std()[12];
    assert!((xs.at(&[0, 12]) - expect).abs() < 1e-3);
    // Round trip.
    let back = scaler.inverse_transform(&xs).unwrap();
    assert!(back.allclose(test.x(), 1e-5, 1e-3));
}

#[test]
fn constant_columns_do_not_produce_nan() {
    let x = Tensor::from_vec(vec![1.0f32, 5.0, 2.0, 5.0, 3.0, 5.0], &[3, 2]);
    let s = StandardScaler::fit(&x).unwrap();
    assert_eq!(s.std()[1], 0.0);
    let t = s.transform(&x).unwrap();
    assert!(t.all_finite());
    assert_eq!(t.to_vec::<f32>().iter().skip(1).step_by(2).copied().collect::<Vec<_>>(), vec![0.0; 3]);
    let m = MinMaxScaler::fit(&x).unwrap();
    let t = m.transform(&x).unwrap();
    assert!(t.all_finite());
    assert_eq!(t.to_vec::<f32>(), vec![0.0, 0.0, 0.5, 0.0, 1.0, 0.0]);
    // One sample: every column constant.
    let one = Tensor::from_vec(vec![4.0f32, 2.0], &[1, 2]);
    assert!(StandardScaler::fit(&one).unwrap().transform(&one).unwrap().all_finite());
}

#[test]
fn min_max_scaler_maps_train_range_and_applies_it_to_test() {
    let x = Tensor::from_vec(vec![0.0f32, -1.0, 10.0, 1.0], &[2, 2]);
    let m = MinMaxScaler::fit_range(&x, -1.0, 1.0).unwrap();
    assert_eq!(m.transform(&x).unwrap().to_vec::<f32>(), vec![-1.0, -1.0, 1.0, 1.0]);
    let test = Tensor::from_vec(vec![20.0f32, 0.0], &[1, 2]);
    assert_eq!(m.transform(&test).unwrap().to_vec::<f32>(), vec![3.0, 0.0]);
    assert!(m.inverse_transform(&m.transform(&test).unwrap()).unwrap().allclose(&test, 1e-6, 1e-6));
    assert_eq!((m.data_min(), m.data_max()), (&[0.0, -1.0][..], &[10.0, 1.0][..]));
    let err = MinMaxScaler::fit_range(&x, 1.0, 1.0).unwrap_err();
    assert_eq!(err.to_string(), "MinMaxScaler: the range [1, 1] must have low < high");
}

#[test]
fn scalers_check_shapes() {
    let s = StandardScaler::fit(&Tensor::zeros(&[4, 3])).unwrap();
    assert_eq!(
        s.transform(&Tensor::zeros(&[4, 2])).unwrap_err().to_string(),
        "StandardScaler: fitted on 3 features, got a tensor of shape [4, 2]"
    );
    assert_eq!(
        StandardScaler::fit(&Tensor::zeros(&[4])).unwrap_err().to_string(),
        "StandardScaler: expected a [samples, features] tensor, got shape [4]"
    );
    assert_eq!(
        MinMaxScaler::fit(&Tensor::zeros(&[0, 3])).unwrap_err().to_string(),
        "MinMaxScaler: cannot fit on zero samples (shape [0, 3])"
    );
    // f64 tensors stay f64.
    let x64 = Tensor::from_vec(vec![1.0f64, 3.0], &[2, 1]);
    assert_eq!(StandardScaler::fit(&x64).unwrap().transform(&x64).unwrap().to_vec_f64(), vec![-1.0, 1.0]);
}

#[test]
fn train_test_split_is_seeded_disjoint_and_complete() {
    let n = 50;
    let x = Tensor::arange(0.0, n as f64, 1.0).reshape(&[n as isize, 1]);
    let y = Tensor::arange(0.0, n as f64, 1.0);
    let (train, test) = train_test_split(&x, &y, 0.2, 9).unwrap();
    assert_eq!((train.len(), test.len()), (40, 10));
    let mut all: Vec<f32> = train.y().to_vec::<f32>();
    all.extend(test.y().to_vec::<f32>());
    all.sort_by(f32::total_cmp);
    assert_eq!(all, (0..n).map(|i| i as f32).collect::<Vec<_>>());
    // Rows stay paired.
    assert_eq!(train.x().to_vec::<f32>(), train.y().to_vec::<f32>());
    let (_, again) = train_test_split(&x, &y, 0.2, 9).unwrap();
    assert_eq!(again.y(), test.y());
    let (_, other) = train_test_split(&x, &y, 0.2, 10).unwrap();
    assert_ne!(other.y(), test.y());
}

#[test]
fn splits_that_leave_a_side_empty_are_errors() {
    let x = Tensor::zeros(&[5, 2]);
    let y = Tensor::zeros(&[5]);
    assert_eq!(
        train_test_split(&x, &y, 0.05, 0).unwrap_err().to_string(),
        "split: a fraction of 0.05 of 5 samples leaves the held-out side empty"
    );
    assert_eq!(
        train_test_split(&x, &y, 0.95, 0).unwrap_err().to_string(),
        "split: a fraction of 0.95 of 5 samples leaves the training side empty"
    );
    assert_eq!(
        train_test_split(&x, &y, 1.0, 0).unwrap_err().to_string(),
        "split: the fraction must be in (0, 1), got 1"
    );
    assert!(train_test_split(&x, &y, f64::NAN, 0).is_err());
    assert_eq!(
        train_test_split(&x, &Tensor::zeros(&[4]), 0.5, 0).unwrap_err().to_string(),
        "TensorDataset: x has 5 samples, y has 4"
    );
    assert!(split_indices(0, 0.5, 0).is_err());
    assert!(split_indices(1, 0.5, 0).is_err());
}

#[test]
fn validation_split_of_a_dataset() {
    let iris = kerosene_datasets::iris();
    let ds = TensorDataset::new(iris.x.clone(), iris.y.clone()).unwrap();
    let (train, val) = validation_split(&ds, 0.1, 1).unwrap();
    assert_eq!((train.len(), val.len()), (135, 15));
    let (train2, val2) = validation_split(&ds, 0.1, 1).unwrap();
    assert_eq!((train2.y(), val2.y()), (train.y(), val.y()));
}

proptest! {
    #[test]
    fn split_indices_partition(n in 2usize..300, frac in 0.01f64..0.99, seed in any::<u64>()) {
        match split_indices(n, frac, seed) {
            Ok((a, b)) => {
                prop_assert!(!a.is_empty() && !b.is_empty());
                prop_assert_eq!(b.len(), (n as f64 * frac).round() as usize);
                let mut all: Vec<usize> = a.into_iter().chain(b).collect();
                all.sort_unstable();
                prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
            }
            Err(e) => prop_assert!(e.to_string().contains("side empty")),
        }
    }

    #[test]
    fn standard_scaler_output_is_finite(v in proptest::collection::vec(-1e6f32..1e6, 2..60)) {
        let n = v.len() / 2;
        let x = Tensor::from_vec(v[..2 * n].to_vec(), &[n, 2]);
        let t = StandardScaler::fit(&x).unwrap().transform(&x).unwrap();
        prop_assert!(t.all_finite());
        let t = MinMaxScaler::fit(&x).unwrap().transform(&x).unwrap();
        prop_assert!(t.all_finite());
        prop_assert!(t.to_vec::<f32>().iter().all(|&a| (-1e-6..=1.0 + 1e-6).contains(&a)));
    }
}

//! DataLoader: coverage of each epoch, seeded shuffling, drop_last, short and empty loaders.

use kerosene_datasets::{DataLoader, Dataset, Result, TensorDataset};
use kerosene_tensor::Tensor;

/// `n` samples: x row i is `[i, i + 0.5]`, y is `i`.
fn ds(n: usize) -> TensorDataset {
    let x: Vec<f32> = (0..n).flat_map(|i| [i as f32, i as f32 + 0.5]).collect();
    let y: Vec<f32> = (0..n).map(|i| i as f32).collect();
    TensorDataset::new(Tensor::from_vec(x, &[n, 2]), Tensor::from_vec(y, &[n])).unwrap()
}

/// The y values of one epoch, batch by batch, checking x against y.
fn epoch_ys(batches: impl Iterator<Item = Result<(Tensor, Tensor)>>) -> Vec<Vec<f32>> {
    batches
        .map(|b| {
            let (x, y) = b.unwrap();
            let ys = y.to_vec::<f32>();
            let xs = x.to_vec::<f32>();
            assert_eq!(x.shape(), &[ys.len(), 2]);
            for (k, &v) in ys.iter().enumerate() {
                assert_eq!(xs[2 * k], v);
                assert_eq!(xs[2 * k + 1], v + 0.5);
            }
            ys
        })
        .collect()
}

fn flat_sorted(batches: &[Vec<f32>]) -> Vec<f32> {
    let mut all: Vec<f32> = batches.concat();
    all.sort_by(f32::total_cmp);
    all
}

#[test]
fn each_sample_once_per_epoch() {
    let data = ds(103);
    let loader = DataLoader::new(&data, 10).unwrap().shuffle(7);
    assert_eq!(loader.num_batches(), 11);
    for _ in 0..3 {
        let batches = epoch_ys(loader.iter().unwrap());
        assert_eq!(batches.len(), 11);
        assert!(batches[..10].iter().all(|b| b.len() == 10));
        assert_eq!(batches[10].len(), 3);
        assert_eq!(flat_sorted(&batches), (0..103).map(|i| i as f32).collect::<Vec<_>>());
    }
}

#[test]
fn order_changes_between_epochs_and_repeats_for_the_same_seed() {
    let data = ds(100);
    let a = DataLoader::new(&data, 16).unwrap().shuffle(42);
    let b = DataLoader::new(&data, 16).unwrap().shuffle(42);
    let e0 = epoch_ys(a.iter().unwrap()).concat();
    let e1 = epoch_ys(a.iter().unwrap()).concat();
    assert_ne!(e0, e1, "epochs 0 and 1 must differ");
    assert_ne!(e0, (0..100).map(|i| i as f32).collect::<Vec<_>>(), "shuffled");
    // A second loader with the same seed replays the same epochs.
    assert_eq!(epoch_ys(b.iter().unwrap()).concat(), e0);
    assert_eq!(epoch_ys(b.iter().unwrap()).concat(), e1);
    // epoch(e) is the same as the e-th iter().
    assert_eq!(epoch_ys(a.epoch(1).unwrap()).concat(), e1);
    assert_eq!(a.order(0).iter().map(|&i| i as f32).collect::<Vec<_>>(), e0);
    // Another seed gives another order.
    let c = DataLoader::new(&data, 16).unwrap().shuffle(43);
    assert_ne!(epoch_ys(c.epoch(0).unwrap()).concat(), e0);
}

#[test]
fn unshuffled_order_is_sequential() {
    let data = ds(7);
    let loader = DataLoader::new(&data, 3).unwrap();
    let batches = epoch_ys(loader.iter().unwrap());
    assert_eq!(batches, vec![vec![0.0, 1.0, 2.0], vec![3.0, 4.0, 5.0], vec![6.0]]);
    assert_eq!(epoch_ys(loader.iter().unwrap()), batches);
}

#[test]
fn drop_last_keeps_only_full_batches() {
    let data = ds(103);
    let loader = DataLoader::new(&data, 10).unwrap().shuffle(1).drop_last(true);
    assert_eq!(loader.num_batches(), 10);
    assert_eq!(loader.num_samples(), 100);
    let it = loader.iter().unwrap();
    assert_eq!(it.len(), 10);
    let batches = epoch_ys(it);
    assert_eq!(batches.len(), 10);
    assert!(batches.iter().all(|b| b.len() == 10));
    let all = flat_sorted(&batches);
    all.windows(2).for_each(|w| assert!(w[0] < w[1], "no repeats"));
    // Exact multiple: nothing dropped.
    let loader = DataLoader::new(&data, 103).unwrap().drop_last(true);
    assert_eq!(loader.num_batches(), 1);
}

#[test]
fn batch_larger_than_the_dataset() {
    let data = ds(5);
    let loader = DataLoader::new(&data, 32).unwrap().shuffle(3);
    assert_eq!(loader.num_batches(), 1);
    let batches = epoch_ys(loader.iter().unwrap());
    assert_eq!(batches.len(), 1);
    assert_eq!(flat_sorted(&batches), vec![0.0, 1.0, 2.0, 3.0, 4.0]);

    let loader = DataLoader::new(&data, 32).unwrap().drop_last(true);
    assert_eq!(loader.num_batches(), 0);
    let err = loader.iter().unwrap_err();
    assert_eq!(err.to_string(), "DataLoader: batch_size 32 with drop_last yields no batch from a dataset of 5 samples");
    assert!(loader.epoch(0).is_err());
}

#[test]
fn zero_batch_size_and_empty_dataset_are_errors() {
    let data = ds(5);
    assert_eq!(DataLoader::new(&data, 0).unwrap_err().to_string(), "DataLoader: batch_size must be at least 1, got 0");
    let empty = TensorDataset::new(Tensor::zeros(&[0, 2]), Tensor::zeros(&[0])).unwrap();
    assert_eq!(
        DataLoader::new(&empty, 4).unwrap_err().to_string(),
        "DataLoader: the dataset is empty, so there is no batch to yield"
    );
}

#[test]
fn tensor_dataset_checks_sample_counts() {
    let err = TensorDataset::new(Tensor::zeros(&[60000, 784]), Tensor::zeros(&[59999])).unwrap_err();
    assert_eq!(err.to_string(), "TensorDataset: x has 60000 samples, y has 59999");
    let err = TensorDataset::new(Tensor::scalar(1.0), Tensor::zeros(&[1])).unwrap_err();
    assert!(err.to_string().contains("need a sample axis"), "{err}");
    let data = ds(3);
    assert_eq!(
        data.get(3).unwrap_err().to_string(),
        "TensorDataset: index 3 at position 0 is out of range for 3 samples"
    );
    assert!(data.get_batch(&[]).is_err());
    let (x, y) = data.get(2).unwrap();
    assert_eq!(x.to_vec::<f32>(), vec![2.0, 2.5]);
    assert_eq!(y.shape(), &[] as &[usize]);
}

#[test]
fn tensor_dataset_gathers_from_non_contiguous_inputs() {
    // A transposed x is made contiguous once, at construction.
    let xt = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 10.0, 11.0, 12.0], &[2, 3]).t();
    let data = TensorDataset::new(xt, Tensor::from_vec(vec![0.0f32, 1.0, 2.0], &[3])).unwrap();
    assert!(data.x().is_contiguous());
    let (x, _) = data.get_batch(&[2, 0]).unwrap();
    assert_eq!(x.to_vec::<f32>(), vec![2.0, 12.0, 0.0, 10.0]);
}

/// A dataset computed on the fly, using the default `get_batch` (stacking).
struct Squares(usize);

impl Dataset for Squares {
    fn len(&self) -> usize {
        self.0
    }
    fn get(&self, i: usize) -> Result<(Tensor, Tensor)> {
        if i >= self.0 {
            return Err(kerosene_datasets::DatasetError::Invalid { what: "Squares", message: format!("{i}") });
        }
        Ok((Tensor::from_vec(vec![i as f32, (i * i) as f32], &[2]), Tensor::scalar(i as f64)))
    }
}

#[test]
fn default_get_batch_stacks_items_and_works_through_dyn() {
    let sq = Squares(9);
    let dynamic: &dyn Dataset = &sq;
    let loader = DataLoader::new(dynamic, 4).unwrap().shuffle(5);
    let mut seen = Vec::new();
    for b in loader.iter().unwrap() {
        let (x, y) = b.unwrap();
        let ys = y.to_vec::<f32>();
        assert_eq!(x.shape(), &[ys.len(), 2]);
        let xs = x.to_vec::<f32>();
        for (k, &v) in ys.iter().enumerate() {
            assert_eq!(xs[2 * k + 1], v * v);
        }
        seen.extend(ys);
    }
    seen.sort_by(f32::total_cmp);
    assert_eq!(seen, (0..9).map(|i| i as f32).collect::<Vec<_>>());
}

#[test]
fn image_shaped_samples_keep_their_shape() {
    let n = 6;
    let x = Tensor::from_vec((0..n * 4 * 4).map(|v| v as f32).collect::<Vec<_>>(), &[n, 4, 4, 1]);
    let data = TensorDataset::new(x, Tensor::zeros(&[n])).unwrap();
    let loader = DataLoader::new(&data, 4).unwrap();
    let shapes: Vec<Vec<usize>> = loader.iter().unwrap().map(|b| b.unwrap().0.shape().to_vec()).collect();
    assert_eq!(shapes, vec![vec![4, 4, 4, 1], vec![2, 4, 4, 1]]);
}

//! Data pipeline: one shuffled epoch of Fashion-MNIST train (60000 x 784) at batch 32, one batch
//! gather, and loading Fashion-MNIST from its gzip IDX files.
//!
//! `cargo bench --bench dataloader`
//!
//! Uses Debian's copy (`apt-get install dataset-fashion-mnist`); without it, the loader benches
//! run on random data of the same shape and the load bench is skipped.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kerosene::datasets::{DataLoader, Dataset, LoadOptions, TensorDataset, fashion_mnist_with};
use kerosene::tensor::{Rng, Tensor};
use std::hint::black_box;

fn offline() -> LoadOptions {
    LoadOptions::default().download(false)
}

fn train_set() -> TensorDataset {
    match fashion_mnist_with(&offline()) {
        Ok(ds) => ds.train_dataset(),
        Err(e) => {
            eprintln!("Fashion-MNIST not available, benchmarking random data of the same shape:\n{e}");
            let mut rng = Rng::new(0);
            let x = Tensor::rand_uniform(&[60000, 784], 0.0, 1.0, &mut rng);
            let y = Tensor::from_vec((0..60000).map(|i| (i % 10) as f32).collect::<Vec<_>>(), &[60000]);
            TensorDataset::new(x, y).expect("same length")
        }
    }
}

fn dataloader(c: &mut Criterion) {
    let ds = train_set();
    let mut g = c.benchmark_group("dataloader");
    g.throughput(Throughput::Elements(ds.len() as u64));
    g.sample_size(20);
    let loader = DataLoader::new(&ds, 32).expect("non-empty").shuffle(42);
    g.bench_function("epoch_fashion_train_b32_shuffled", |b| {
        b.iter(|| {
            let mut n = 0;
            for batch in loader.iter().expect("has batches") {
                let (x, y) = batch.expect("in range");
                n += y.len();
                black_box(&x);
            }
            assert_eq!(n, 60000);
        })
    });
    let order = loader.order(0);
    g.throughput(Throughput::Elements(32));
    g.sample_size(100);
    g.bench_function("get_batch_b32", |b| b.iter(|| black_box(ds.get_batch(&order[1000..1032]).expect("in range"))));
    g.finish();
}

fn load(c: &mut Criterion) {
    if fashion_mnist_with(&offline()).is_err() {
        return;
    }
    let mut g = c.benchmark_group("fashion_mnist");
    g.sample_size(10);
    g.bench_function("load_gzip_idx", |b| b.iter(|| black_box(fashion_mnist_with(&offline()).expect("loads"))));
    g.finish();
}

criterion_group!(benches, dataloader, load);
criterion_main!(benches);

//! Seeded randomness: `Rng`, random tensors, the Glorot / He / LeCun / variance-scaling
//! initializers and `keras_fans`.

use kerosene_tensor::{DType, FanMode, Rng, TRUNCATED_NORMAL_STD, Tensor, keras_fans};

fn mean_var(t: &Tensor) -> (f64, f64) {
    let v = t.to_vec_f64();
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (m, v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n)
}

#[test]
fn same_seed_same_stream() {
    let (mut a, mut b) = (Rng::new(42), Rng::new(42));
    for _ in 0..10 {
        assert_eq!(a.next_u64(), b.next_u64());
    }
    assert_eq!(a.uniform(), b.uniform());
    assert_eq!(a.normal(), b.normal());
    assert_eq!(a.below(1000), b.below(1000));
    // A clone continues the same stream.
    let mut c = a.clone();
    assert_eq!(a.next_u64(), c.next_u64());
    // Different seeds give different streams.
    let (mut x, mut y) = (Rng::new(1), Rng::new(2));
    let xs: Vec<u64> = (0..4).map(|_| x.next_u64()).collect();
    let ys: Vec<u64> = (0..4).map(|_| y.next_u64()).collect();
    assert_ne!(xs, ys);
}

#[test]
fn same_seed_identical_tensors() {
    type Init = fn(&[usize], &mut Rng) -> Tensor;
    let inits: [Init; 9] = [
        |s, r| Tensor::rand_uniform(s, -1.0, 1.0, r),
        |s, r| Tensor::randn(s, r),
        |s, r| Tensor::rand_normal(s, 2.0, 0.5, r),
        |s, r| Tensor::truncated_normal(s, 0.0, 1.0, r),
        |s, r| Tensor::bernoulli(s, 0.5, r),
        |s, r| Tensor::glorot_uniform(s, (3, 4), r),
        |s, r| Tensor::glorot_normal(s, (3, 4), r),
        |s, r| Tensor::he_normal(s, (3, 4), r),
        |s, r| Tensor::lecun_uniform(s, (3, 4), r),
    ];
    for f in inits {
        let a = f(&[3, 4], &mut Rng::new(7));
        let b = f(&[3, 4], &mut Rng::new(7));
        let c = f(&[3, 4], &mut Rng::new(8));
        assert_eq!((a.shape(), a.dtype()), (&[3usize, 4][..], DType::F32));
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Two draws from one generator differ.
        let mut r = Rng::new(7);
        assert_ne!(f(&[3, 4], &mut r), f(&[3, 4], &mut r));
    }
    assert_eq!(Tensor::randn(&[0, 3], &mut Rng::new(1)).shape(), &[0, 3]);
    assert_eq!(Tensor::randn(&[], &mut Rng::new(1)).shape(), &[] as &[usize]);
}

#[test]
fn uniform_values() {
    let mut rng = Rng::new(3);
    let u: Vec<f64> = (0..10_000).map(|_| rng.uniform()).collect();
    assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
    let m = u.iter().sum::<f64>() / u.len() as f64;
    assert!((m - 0.5).abs() < 0.02, "mean {m}");
    let t = Tensor::rand_uniform(&[20_000], 2.0, 5.0, &mut rng);
    assert!(t.min_all().item() >= 2.0 && t.max_all().item() < 5.0);
    let (m, v) = mean_var(&t);
    // U(2, 5): mean 3.5, variance 9 / 12.
    assert!((m - 3.5).abs() < 0.05 && (v - 0.75).abs() < 0.05, "mean {m} var {v}");
}

#[test]
fn normal_values() {
    let mut rng = Rng::new(4);
    let (m, v) = mean_var(&Tensor::randn(&[20_000], &mut rng));
    assert!(m.abs() < 0.03 && (v - 1.0).abs() < 0.05, "mean {m} var {v}");
    let (m, v) = mean_var(&Tensor::rand_normal(&[20_000], -3.0, 0.5, &mut rng));
    assert!((m + 3.0).abs() < 0.02 && (v - 0.25).abs() < 0.02, "mean {m} var {v}");
}

#[test]
fn truncated_normal_stays_within_two_std() {
    let mut rng = Rng::new(5);
    let t = Tensor::truncated_normal(&[50_000], 1.0, 0.5, &mut rng);
    assert!(t.to_vec_f64().iter().all(|&x| (x - 1.0).abs() <= 2.0 * 0.5 + 1e-6));
    let (m, v) = mean_var(&t);
    // The std of a normal truncated at two std is TRUNCATED_NORMAL_STD times the untruncated one.
    let want = (0.5 * TRUNCATED_NORMAL_STD).powi(2);
    assert!((m - 1.0).abs() < 0.01 && (v - want).abs() < 0.01, "mean {m} var {v} want {want}");
    assert!((TRUNCATED_NORMAL_STD - 0.879_625_661_034_239_8).abs() < 1e-15);
}

#[test]
fn bernoulli_rate() {
    let t = Tensor::bernoulli(&[20_000], 0.3, &mut Rng::new(6));
    assert!(t.to_vec_f64().iter().all(|&x| x == 0.0 || x == 1.0));
    let p = t.mean_all().item();
    assert!((p - 0.3).abs() < 0.02, "rate {p}");
    assert_eq!(Tensor::bernoulli(&[100], 0.0, &mut Rng::new(6)).sum_all().item(), 0.0);
    assert_eq!(Tensor::bernoulli(&[100], 1.0, &mut Rng::new(6)).sum_all().item(), 100.0);
}

#[test]
fn glorot_uniform_limit_and_variance() {
    let (fan_in, fan_out) = (300, 100);
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
    let w = Tensor::glorot_uniform(&[fan_in, fan_out], (fan_in, fan_out), &mut Rng::new(9));
    assert!(w.max_all().item() <= limit && w.min_all().item() >= -limit);
    let (m, v) = mean_var(&w);
    // U(-l, l) has variance l^2 / 3 = 2 / (fan_in + fan_out).
    let want = 2.0 / (fan_in + fan_out) as f64;
    assert!(m.abs() < 0.002 && (v / want - 1.0).abs() < 0.03, "mean {m} var {v} want {want}");
    // Both ends of the range are reached (within 1%).
    assert!(w.max_all().item() > 0.99 * limit && w.min_all().item() < -0.99 * limit);
}

#[test]
fn other_uniform_initializers() {
    let mut rng = Rng::new(10);
    let (fi, fo) = (50, 200);
    for (w, limit) in [
        (Tensor::he_uniform(&[fi, fo], (fi, fo), &mut rng), (6.0 / fi as f64).sqrt()),
        (Tensor::lecun_uniform(&[fi, fo], (fi, fo), &mut rng), (3.0 / fi as f64).sqrt()),
        (Tensor::variance_scaling(&[fi, fo], 2.0, FanMode::FanOut, true, (fi, fo), &mut rng), (6.0 / fo as f64).sqrt()),
    ] {
        assert!(w.max_all().item() <= limit && w.min_all().item() >= -limit, "limit {limit}");
        assert!(w.max_all().item() > 0.98 * limit);
        let (_, v) = mean_var(&w);
        assert!((v / (limit * limit / 3.0) - 1.0).abs() < 0.05, "var {v} limit {limit}");
    }
}

#[test]
fn normal_initializers() {
    let mut rng = Rng::new(12);
    let (fi, fo) = (100, 300);
    for (w, std) in [
        (Tensor::glorot_normal(&[fi, fo], (fi, fo), &mut rng), (2.0 / (fi + fo) as f64).sqrt()),
        (Tensor::he_normal(&[fi, fo], (fi, fo), &mut rng), (2.0 / fi as f64).sqrt()),
        (Tensor::lecun_normal(&[fi, fo], (fi, fo), &mut rng), (1.0 / fi as f64).sqrt()),
        (
            Tensor::variance_scaling(&[fi, fo], 1.0, FanMode::FanOut, false, (fi, fo), &mut rng),
            (1.0 / fo as f64).sqrt(),
        ),
    ] {
        let (m, v) = mean_var(&w);
        // The truncation is corrected for: the variance is the wanted one.
        assert!(m.abs() < 0.03 * std && (v.sqrt() / std - 1.0).abs() < 0.03, "std {} want {std}", v.sqrt());
        // Truncated at two of the (corrected) standard deviations.
        let bound = 2.0 * std / TRUNCATED_NORMAL_STD;
        assert!(w.max_all().item() <= bound + 1e-6 && w.min_all().item() >= -bound - 1e-6);
    }
}

#[test]
fn zero_fans_do_not_divide_by_zero() {
    let w = Tensor::glorot_uniform(&[0, 3], (0, 0), &mut Rng::new(1));
    assert_eq!(w.shape(), &[0, 3]);
    let w = Tensor::he_uniform(&[4], (0, 4), &mut Rng::new(1));
    assert!(w.all_finite() && w.max_all().item() <= 6f64.sqrt());
}

#[test]
fn keras_fan_rules() {
    assert_eq!(keras_fans(&[]), (1, 1));
    assert_eq!(keras_fans(&[7]), (7, 7));
    assert_eq!(keras_fans(&[784, 64]), (784, 64));
    assert_eq!(keras_fans(&[3, 3, 16, 32]), (144, 288));
    assert_eq!(keras_fans(&[5, 2, 3]), (10, 15));
}

#[test]
fn integers_shuffles_and_forks() {
    let mut rng = Rng::new(13);
    let mut counts = [0usize; 5];
    for _ in 0..5000 {
        counts[rng.below(5)] += 1;
    }
    assert!(counts.iter().all(|&c| (900..1100).contains(&c)), "{counts:?}");
    assert_eq!(rng.below(1), 0);
    let p = rng.permutation(20);
    let mut sorted = p.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    assert_ne!(p, (0..20).collect::<Vec<_>>());
    assert_eq!(Rng::new(3).permutation(20), Rng::new(3).permutation(20));
    assert!(rng.permutation(0).is_empty());
    let mut v = vec!['a', 'b', 'c', 'd', 'e', 'f'];
    rng.shuffle(&mut v);
    let mut s = v.clone();
    s.sort_unstable();
    assert_eq!(s, vec!['a', 'b', 'c', 'd', 'e', 'f']);
    // Forks: reproducible, and different from the parent and from each other.
    let (mut p1, mut p2) = (Rng::new(21), Rng::new(21));
    let (mut f1, mut f2) = (p1.fork(), p2.fork());
    assert_eq!(f1.next_u64(), f2.next_u64());
    let mut g1 = p1.fork();
    assert_ne!(f1.next_u64(), g1.next_u64());
    assert_ne!(p1.next_u64(), f2.next_u64());
}

#[test]
#[should_panic(expected = "Rng::below: n must be positive")]
fn below_zero_panics() {
    Rng::new(0).below(0);
}

use kerosene_tensor::{Rng, Tensor};

#[test]
fn matmul_transposed_views_match_copies() {
    let mut rng = Rng::new(1);
    let a = Tensor::randn(&[5, 7], &mut rng);
    let b = Tensor::randn(&[3, 7], &mut rng);
    let c = a.matmul(&b.t());
    let c2 = a.matmul(&b.t().contiguous());
    assert!(c.allclose(&c2, 1e-6, 1e-6));
    assert_eq!(c.shape(), &[5, 3]);
    // naive
    let av = a.to_vec::<f64>();
    let bv = b.to_vec::<f64>();
    for i in 0..5 {
        for j in 0..3 {
            let s: f64 = (0..7).map(|k| av[i * 7 + k] * bv[j * 7 + k]).sum();
            assert!((c.at(&[i, j]) - s).abs() < 1e-4);
        }
    }
}

#[test]
fn batched_and_vector_matmul() {
    let mut rng = Rng::new(2);
    let a = Tensor::randn(&[2, 3, 4, 5], &mut rng);
    let b = Tensor::randn(&[3, 5, 2], &mut rng);
    let c = a.matmul(&b);
    assert_eq!(c.shape(), &[2, 3, 4, 2]);
    let c11 = a.select(0, 1).select(0, 2).matmul(&b.select(0, 2));
    assert!(c.select(0, 1).select(0, 2).allclose(&c11, 1e-5, 1e-5));
    let v = Tensor::randn(&[5], &mut rng);
    assert_eq!(a.matmul(&v).shape(), &[2, 3, 4]);
    assert_eq!(v.matmul(&v).shape(), &[] as &[usize]);
}

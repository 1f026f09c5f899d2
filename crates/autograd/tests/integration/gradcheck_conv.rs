//! Convolution and pooling: gradchecks over strides, "same" padding with even kernels, dilation,
//! several channels, batches, with and without bias; hand-computed cases; and conv2d against a
//! naive direct convolution (forward and backward) on sizes that take the blocked and parallel
//! paths.

use kerosene_autograd::{FusedActivation, Tolerances, Var, gradcheck, no_grad};
use kerosene_tensor::{Padding, Rng, Tensor, Window2d};

fn sym(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_uniform(shape, -2.0, 2.0, &mut Rng::new(seed)).to_f64()
}

#[track_caller]
fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) {
    if let Err(e) = gradcheck(f, inputs, Tolerances::default()) {
        panic!("{e}");
    }
}

fn f64s(v: &Var) -> Vec<f64> {
    v.value().to_vec::<f64>()
}

fn t64(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape)
}

// ---------------------------------------------------------------------------------------------
// conv2d

struct Case {
    x: [usize; 4],
    k: (usize, usize),
    co: usize,
    stride: (usize, usize),
    padding: Padding,
    dilation: (usize, usize),
}

const fn case(
    x: [usize; 4],
    k: (usize, usize),
    co: usize,
    stride: (usize, usize),
    padding: Padding,
    dilation: (usize, usize),
) -> Case {
    Case { x, k, co, stride, padding, dilation }
}

const CASES: &[Case] = &[
    case([2, 5, 5, 3], (3, 3), 2, (1, 1), Padding::Valid, (1, 1)),
    case([2, 6, 7, 2], (3, 3), 3, (2, 2), Padding::Valid, (1, 1)), // stride 2, odd leftover column
    case([2, 5, 6, 3], (2, 2), 2, (1, 1), Padding::Same, (1, 1)),  // even kernel, "same"
    case([1, 7, 6, 2], (4, 4), 2, (1, 1), Padding::Same, (1, 1)),  // 4x4 "same": pads 1 before, 2 after
    case([2, 7, 6, 2], (4, 4), 3, (2, 2), Padding::Same, (1, 1)),  // 4x4 "same", stride 2
    case([2, 5, 5, 2], (2, 2), 2, (2, 2), Padding::Same, (1, 1)),  // 2x2 "same", stride 2, odd input
    case([2, 7, 7, 2], (3, 3), 2, (1, 1), Padding::Valid, (2, 2)), // dilation 2
    case([1, 6, 7, 3], (3, 2), 2, (1, 2), Padding::Same, (2, 1)),  // dilation 2 with "same", rectangular
    case([2, 4, 5, 2], (3, 3), 2, (1, 1), Padding::Explicit(1, 0, 2, 1), (1, 1)), // PyTorch-style
    case([2, 4, 5, 3], (1, 1), 4, (1, 1), Padding::Valid, (1, 1)), // 1x1: x is the im2col matrix
    case([2, 5, 5, 3], (1, 1), 2, (2, 2), Padding::Valid, (1, 1)), // 1x1 strided: not the identity
    case([3, 6, 6, 1], (3, 3), 4, (1, 1), Padding::Valid, (1, 1)), // one input channel (first layer)
];

#[test]
fn conv2d_gradcheck_every_geometry_with_and_without_bias() {
    for (i, c) in CASES.iter().enumerate() {
        let s = i as u64 * 10;
        let (x, k, b) = (sym(&c.x, s), sym(&[c.k.0, c.k.1, c.x[3], c.co], s + 1), sym(&[c.co], s + 2));
        let (st, pad, dil) = (c.stride, c.padding, c.dilation);
        check(|v| v[0].conv2d(&v[1], Some(&v[2]), st, pad, dil), &[x.clone(), k.clone(), b]);
        check(|v| v[0].conv2d(&v[1], None, st, pad, dil), &[x, k]);
    }
}

#[test]
fn conv2d_fused_activations_gradcheck() {
    let (x, k, b) = (sym(&[2, 5, 5, 2], 200), sym(&[3, 3, 2, 3], 201), sym(&[3], 202));
    for act in [FusedActivation::Identity, FusedActivation::Relu, FusedActivation::Sigmoid, FusedActivation::Tanh] {
        check(
            |v| v[0].conv2d_act(&v[1], Some(&v[2]), (1, 1), Padding::Same, (1, 1), act),
            &[x.clone(), k.clone(), b.clone()],
        );
        check(|v| v[0].conv2d_act(&v[1], None, (2, 2), Padding::Valid, (1, 1), act), &[x.clone(), k.clone()]);
    }
}

#[test]
fn conv2d_hand_computed() {
    // x (one 3x3 image, one channel):   kernel (2x2, 1 -> 1):   bias 0.5
    //   1 2 3                            1  0
    //   4 5 6                            0 -1
    //   7 8 9
    // y[i, j] = x[i, j] - x[i+1, j+1] + 0.5 = -4 + 0.5 = -3.5 everywhere (2x2 output).
    let x = Var::param(t64(&[1., 2., 3., 4., 5., 6., 7., 8., 9.], &[1, 3, 3, 1]));
    let k = Var::param(t64(&[1., 0., 0., -1.], &[2, 2, 1, 1]));
    let b = Var::param(t64(&[0.5], &[1]));
    let y = x.conv2d(&k, Some(&b), (1, 1), Padding::Valid, (1, 1));
    assert_eq!(y.shape(), &[1, 2, 2, 1]);
    assert_eq!(f64s(&y), vec![-3.5; 4]);
    y.sum_all().backward();
    // dK[ky, kx] = Σ_windows x[i+ky, j+kx]: 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28
    assert_eq!(k.grad().unwrap().to_vec::<f64>(), vec![12., 16., 24., 28.]);
    // db = number of outputs = 4
    assert_eq!(b.grad().unwrap().to_vec::<f64>(), vec![4.]);
    // dx[p, q] = Σ over the windows covering (p, q) of the kernel tap that reads it:
    //   1  1  0
    //   1  0 -1
    //   0 -1 -1
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![1., 1., 0., 1., 0., -1., 0., -1., -1.]);
}

#[test]
fn conv2d_same_padding_even_kernel_hand_computed() {
    // x = [[1, 2], [3, 4]], 2x2 kernel of ones, "same", stride 1: TensorFlow pads 1 row / column,
    // all of it at the bottom / right, so y[i, j] sums x[i..i+2, j..j+2] clipped:
    //   1+2+3+4 = 10   2+4 = 6
    //   3+4     = 7    4
    let x = Var::param(t64(&[1., 2., 3., 4.], &[1, 2, 2, 1]));
    let k = Var::param(t64(&[1.; 4], &[2, 2, 1, 1]));
    let y = x.conv2d(&k, None, (1, 1), Padding::Same, (1, 1));
    assert_eq!(f64s(&y), vec![10., 6., 7., 4.]);
    y.sum_all().backward();
    // x[0,0] is read by 1 window, x[0,1] and x[1,0] by 2, x[1,1] by 4.
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![1., 2., 2., 4.]);
    // dK[ky, kx] = Σ of the elements each tap reads: (0,0): 10, (0,1): 2+4 = 6, (1,0): 3+4 = 7, (1,1): 4
    assert_eq!(k.grad().unwrap().to_vec::<f64>(), vec![10., 6., 7., 4.]);
}

#[test]
fn conv2d_two_channels_hand_computed() {
    // One pixel with channels (1, 2), 1x1 kernel [[1, 10, 100], [-1, 0, 1]] (C_in = 2, C_out = 3):
    // y = (1 - 2, 10 + 0, 100 + 2) = (-1, 10, 102).
    let x = Var::param(t64(&[1., 2.], &[1, 1, 1, 2]));
    let k = Var::param(t64(&[1., 10., 100., -1., 0., 1.], &[1, 1, 2, 3]));
    let y = x.conv2d(&k, None, (1, 1), Padding::Valid, (1, 1));
    assert_eq!(f64s(&y), vec![-1., 10., 102.]);
    y.sum_all().backward();
    // dx[c] = Σ_o K[c, o] = (111, 0); dK[c, o] = x[c] = rows (1, 1, 1), (2, 2, 2)
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![111., 0.]);
    assert_eq!(k.grad().unwrap().to_vec::<f64>(), vec![1., 1., 1., 2., 2., 2.]);
}

/// Direct convolution by its definition, with the padding from `Window2d` (tested in the tensor
/// crate), returning `y` and the input / kernel / bias gradients for an output gradient `g`.
#[allow(clippy::type_complexity)]
fn naive(
    x: &[f64],
    k: &[f64],
    b: &[f64],
    cs: &Case,
    g_out: Option<&[f64]>,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (stride, dil) = (cs.stride, cs.dilation);
    let geo = Window2d::new("naive", &cs.x, cs.k, stride, dil, cs.padding).unwrap();
    let [n, h, w, c] = cs.x;
    let ((kh, kw), co) = (cs.k, cs.co);
    let (oh, ow) = geo.out;
    let mut y = vec![0.0; n * oh * ow * co];
    let (mut dx, mut dk, mut db) = (vec![0.0; x.len()], vec![0.0; k.len()], vec![0.0; co]);
    for bi in 0..n {
        for i in 0..oh {
            for j in 0..ow {
                for o in 0..co {
                    let yi = ((bi * oh + i) * ow + j) * co + o;
                    let gv = g_out.map_or(0.0, |g| g[yi]);
                    let mut acc = b[o];
                    db[o] += gv;
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let p = (i * stride.0 + ky * dil.0) as isize - geo.pad.0 as isize;
                            let q = (j * stride.1 + kx * dil.1) as isize - geo.pad.1 as isize;
                            if p < 0 || q < 0 || p >= h as isize || q >= w as isize {
                                continue;
                            }
                            for ci in 0..c {
                                let xi = ((bi * h + p as usize) * w + q as usize) * c + ci;
                                let ki = ((ky * kw + kx) * c + ci) * co + o;
                                acc += x[xi] * k[ki];
                                dx[xi] += gv * k[ki];
                                dk[ki] += gv * x[xi];
                            }
                        }
                    }
                    y[yi] = acc;
                }
            }
        }
    }
    (y, dx, dk, db)
}

fn max_rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / (1.0 + y.abs())).fold(0.0, f64::max)
}

#[test]
fn conv2d_equals_naive_direct_convolution_forward_and_backward() {
    // Small cases and sizes that take several blocks, the parallel paths, and the split kernel
    // gradient (one input channel, many rows).
    let cases = [
        case([2, 5, 6, 3], (3, 3), 4, (1, 1), Padding::Valid, (1, 1)),
        case([2, 9, 8, 3], (4, 4), 5, (2, 2), Padding::Same, (1, 1)),
        case([2, 9, 9, 2], (3, 3), 3, (1, 2), Padding::Same, (2, 2)),
        case([4, 20, 20, 3], (3, 3), 8, (1, 1), Padding::Valid, (1, 1)),
        case([8, 32, 32, 8], (3, 3), 16, (1, 1), Padding::Same, (1, 1)),
        case([16, 26, 26, 1], (3, 3), 32, (1, 1), Padding::Valid, (1, 1)),
        case([6, 13, 13, 32], (3, 3), 64, (1, 1), Padding::Valid, (1, 1)),
        case([4, 12, 12, 16], (1, 1), 8, (1, 1), Padding::Valid, (1, 1)),
    ];
    for (i, c) in cases.iter().enumerate() {
        let s = 500 + 10 * i as u64;
        let ks = [c.k.0, c.k.1, c.x[3], c.co];
        let (xt, kt, bt) = (sym(&c.x, s), sym(&ks, s + 1), sym(&[c.co], s + 2));
        let (x, k, b) = (Var::param(xt.clone()), Var::param(kt.clone()), Var::param(bt.clone()));
        let y = x.conv2d(&k, Some(&b), c.stride, c.padding, c.dilation);
        let gt = sym(y.shape(), s + 3);
        let (gv, xv, kv, bv) = (gt.to_vec::<f64>(), xt.to_vec::<f64>(), kt.to_vec::<f64>(), bt.to_vec::<f64>());
        let (ny, ndx, ndk, ndb) = naive(&xv, &kv, &bv, c, Some(&gv));
        assert!(max_rel_err(&f64s(&y), &ny) < 1e-12, "case {i}: forward differs from the direct convolution");
        y.backward_with(&gt, false).unwrap();
        assert!(max_rel_err(&x.grad().unwrap().to_vec::<f64>(), &ndx) < 1e-12, "case {i}: dx differs");
        assert!(max_rel_err(&k.grad().unwrap().to_vec::<f64>(), &ndk) < 1e-12, "case {i}: dK differs");
        assert!(max_rel_err(&b.grad().unwrap().to_vec::<f64>(), &ndb) < 1e-12, "case {i}: db differs");
        // Without a graph (the scratch-buffer path) the forward is bit-identical.
        let y2 = no_grad(|| {
            Var::new(xt.clone()).conv2d(
                &Var::new(kt.clone()),
                Some(&Var::new(bt.clone())),
                c.stride,
                c.padding,
                c.dilation,
            )
        });
        assert_eq!(y2.value(), y.value(), "case {i}: no_grad forward differs");
    }
}

#[test]
fn conv2d_f32_matches_f64() {
    let (x, k, b) = (sym(&[4, 14, 14, 4], 700), sym(&[3, 3, 4, 8], 701), sym(&[8], 702));
    let y64 = Var::new(x.clone()).conv2d_act(
        &Var::new(k.clone()),
        Some(&Var::new(b.clone())),
        (1, 1),
        Padding::Same,
        (1, 1),
        FusedActivation::Relu,
    );
    let y32 = Var::new(x.to_f32()).conv2d_act(
        &Var::new(k.to_f32()),
        Some(&Var::new(b.to_f32())),
        (1, 1),
        Padding::Same,
        (1, 1),
        FusedActivation::Relu,
    );
    assert!(y32.value().to_f64().allclose(&y64.value(), 1e-5, 1e-5));
}

fn msg<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> String {
    let e = std::panic::catch_unwind(f).err().expect("a panic");
    e.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn conv2d_errors_name_the_op_and_shapes() {
    let m = msg(|| {
        Var::new(Tensor::zeros(&[1, 2, 2, 1])).conv2d(
            &Var::new(Tensor::zeros(&[3, 3, 1, 1])),
            None,
            (1, 1),
            Padding::Valid,
            (1, 1),
        );
    });
    assert!(m.starts_with("conv2d: window 3x3") && m.contains("[1, 2, 2, 1]"), "{m}");
    let m = msg(|| {
        Var::new(Tensor::zeros(&[1, 4, 4, 3])).conv2d(
            &Var::new(Tensor::zeros(&[3, 3, 2, 1])),
            None,
            (1, 1),
            Padding::Valid,
            (1, 1),
        );
    });
    assert!(m.contains("input channels") && m.contains("[1, 4, 4, 3]") && m.contains("[3, 3, 2, 1]"), "{m}");
    let m = msg(|| {
        Var::new(Tensor::zeros(&[4, 4, 3])).conv2d(
            &Var::new(Tensor::zeros(&[3, 3, 3, 1])),
            None,
            (1, 1),
            Padding::Valid,
            (1, 1),
        );
    });
    assert!(m.contains("NHWC") && m.contains("[4, 4, 3]"), "{m}");
    let m = msg(|| {
        Var::new(Tensor::zeros(&[1, 4, 4, 1])).conv2d(
            &Var::new(Tensor::zeros(&[3, 3, 1, 2])),
            Some(&Var::new(Tensor::zeros(&[3]))),
            (1, 1),
            Padding::Valid,
            (1, 1),
        );
    });
    assert!(m.contains("bias must have shape [2], got [3]"), "{m}");
}

// ---------------------------------------------------------------------------------------------
// conv1d

#[test]
fn conv1d_gradcheck() {
    let x = sym(&[2, 9, 3], 800);
    for (kl, stride, padding, dil) in [
        (3, 1, Padding::Valid, 1),
        (3, 2, Padding::Same, 1),
        (4, 1, Padding::Same, 1), // even kernel
        (3, 1, Padding::Same, 2),
        (3, 1, Padding::Explicit(0, 0, 4, 0), 2), // causal
    ] {
        let (k, b) = (sym(&[kl, 3, 2], 801), sym(&[2], 802));
        check(|v| v[0].conv1d(&v[1], Some(&v[2]), stride, padding, dil), &[x.clone(), k.clone(), b]);
        check(|v| v[0].conv1d_act(&v[1], None, stride, padding, dil, FusedActivation::Tanh), &[x.clone(), k]);
    }
}

#[test]
fn conv1d_causal_hand_computed() {
    // x = 1 2 3 4, kernel (2, -1), causal (one zero on the left): y[i] = 2 x[i-1] - x[i]
    //   = (0 - 1, 2 - 2, 4 - 3, 6 - 4) = (-1, 0, 1, 2)
    let x = Var::param(t64(&[1., 2., 3., 4.], &[1, 4, 1]));
    let k = Var::param(t64(&[2., -1.], &[2, 1, 1]));
    let y = x.conv1d(&k, None, 1, Padding::Explicit(0, 0, 1, 0), 1);
    assert_eq!(y.shape(), &[1, 4, 1]);
    assert_eq!(f64s(&y), vec![-1., 0., 1., 2.]);
    y.sum_all().backward();
    // dK = (Σ x[i-1], Σ x[i]) = (0+1+2+3, 1+2+3+4) = (6, 10)
    assert_eq!(k.grad().unwrap().to_vec::<f64>(), vec![6., 10.]);
    // dx[p] = -1 (output p) + 2 (output p + 1, if any) = (1, 1, 1, -1)
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![1., 1., 1., -1.]);
}

// ---------------------------------------------------------------------------------------------
// pooling

/// (window, strides, padding)
type Pool = ((usize, usize), (usize, usize), Padding);

const POOLS: &[Pool] = &[
    ((2, 2), (2, 2), Padding::Valid),
    ((3, 3), (2, 2), Padding::Valid), // overlapping windows
    ((2, 2), (1, 1), Padding::Same),  // stride != pool, "same"
    ((3, 3), (2, 2), Padding::Same),
    ((2, 3), (1, 2), Padding::Same),
    ((2, 2), (3, 3), Padding::Valid), // stride > pool: some inputs are never read
    ((3, 3), (2, 2), Padding::Explicit(1, 1, 1, 0)),
];

#[test]
fn max_pool2d_gradcheck() {
    // Random inputs: no ties, so the max is differentiable at the point.
    let x = sym(&[2, 7, 6, 3], 900);
    for &(pool, stride, padding) in POOLS {
        check(|v| v[0].max_pool2d(pool, stride, padding), std::slice::from_ref(&x));
    }
}

#[test]
fn avg_pool2d_gradcheck() {
    let x = sym(&[2, 7, 6, 3], 901);
    for &(pool, stride, padding) in POOLS {
        check(|v| v[0].avg_pool2d(pool, stride, padding), std::slice::from_ref(&x));
    }
}

#[test]
fn global_pools_gradcheck() {
    let x = sym(&[2, 3, 4, 3], 902);
    check(|v| v[0].global_avg_pool2d(), std::slice::from_ref(&x));
    check(|v| v[0].global_max_pool2d(), &[x]);
}

#[test]
fn max_pool2d_hand_computed_first_maximum_on_ties() {
    //  1 5 | 2 0        windows (2x2, stride 2): max 5 (tie: the first, at (0, 1)), 4 at (1, 3),
    //  3 5 | 1 4                                 2 at (2, 1), 9 (three-way tie: first, at (2, 2))
    //  ----+----
    //  0 2 | 9 9
    //  1 1 | 9 3
    let x = Var::param(t64(&[1., 5., 2., 0., 3., 5., 1., 4., 0., 2., 9., 9., 1., 1., 9., 3.], &[1, 4, 4, 1]));
    let y = x.max_pool2d((2, 2), (2, 2), Padding::Valid);
    assert_eq!(f64s(&y), vec![5., 4., 2., 9.]);
    y.backward_with(&t64(&[1., 2., 3., 4.], &[1, 2, 2, 1]), false).unwrap();
    #[rustfmt::skip]
    let want = vec![
        0., 1., 0., 0.,
        0., 0., 0., 2.,
        0., 3., 4., 0.,
        0., 0., 0., 0.,
    ];
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), want);
}

#[test]
fn max_pool2d_same_stride_one_hand_computed() {
    // 1..9 in a 3x3 image, 2x2 window, stride 1, "same": one row / column of padding at the
    // bottom / right, never the maximum, so y[i, j] = x[min(i+1, 2), min(j+1, 2)]:
    //   5 6 6
    //   8 9 9
    //   8 9 9
    let x = Var::param(t64(&[1., 2., 3., 4., 5., 6., 7., 8., 9.], &[1, 3, 3, 1]));
    let y = x.max_pool2d((2, 2), (1, 1), Padding::Same);
    assert_eq!(f64s(&y), vec![5., 6., 6., 8., 9., 9., 8., 9., 9.]);
    y.sum_all().backward();
    // 5 wins once, 6 twice, 8 twice, 9 four times.
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0., 0., 0., 0., 1., 2., 0., 2., 4.]);
    // Negative inputs: padding is not a zero candidate (TensorFlow pads with -inf).
    let y = Var::new(t64(&[-1., -2., -3., -4.], &[1, 2, 2, 1])).max_pool2d((2, 2), (1, 1), Padding::Same);
    assert_eq!(f64s(&y), vec![-1., -2., -3., -4.]);
}

#[test]
fn max_pool2d_channels_are_independent() {
    // Two channels of one 2x2 image: channel 0 = (1, 4, 2, 3), channel 1 = (8, 5, 7, 6).
    let x = Var::param(t64(&[1., 8., 4., 5., 2., 7., 3., 6.], &[1, 2, 2, 2]));
    let y = x.max_pool2d((2, 2), (2, 2), Padding::Valid);
    assert_eq!(f64s(&y), vec![4., 8.]);
    y.sum_all().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0., 1., 1., 0., 0., 0., 0., 0.]);
}

#[test]
fn avg_pool2d_same_counts_only_valid_elements() {
    // 1 2 3     2x2 window, stride 2, "same": out 1x2, the right window has a padding column.
    // 4 5 6     y = ((1+2+4+5)/4, (3+6)/2) = (3, 4.5)
    let x = Var::param(t64(&[1., 2., 3., 4., 5., 6.], &[1, 2, 3, 1]));
    let y = x.avg_pool2d((2, 2), (2, 2), Padding::Same);
    assert_eq!(f64s(&y), vec![3., 4.5]);
    y.sum_all().backward();
    // Each element gets 1 / (size of its window): 1/4 on the left, 1/2 on the right.
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0.25, 0.25, 0.5, 0.25, 0.25, 0.5]);
}

#[test]
fn global_pools_hand_computed() {
    // A 2x2 image with channels (1, -1), (2, -3), (3, -2), (6, -4).
    let x = Var::param(t64(&[1., -1., 2., -3., 3., -2., 6., -4.], &[1, 2, 2, 2]));
    let avg = x.global_avg_pool2d();
    assert_eq!(avg.shape(), &[1, 2]);
    assert_eq!(f64s(&avg), vec![3., -2.5]); // (1+2+3+6)/4, (-1-3-2-4)/4
    let mx = x.global_max_pool2d();
    assert_eq!(f64s(&mx), vec![6., -1.]);
    mx.sum_all().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![0., 1., 0., 0., 0., 0., 1., 0.]);
}

#[test]
fn pool_errors() {
    let r =
        std::panic::catch_unwind(|| Var::new(Tensor::zeros(&[1, 2, 2, 1])).max_pool2d((3, 3), (1, 1), Padding::Valid));
    let m = r.unwrap_err().downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(m.starts_with("max_pool2d: window 3x3") && m.contains("[1, 2, 2, 1]"), "{m}");
    let r = std::panic::catch_unwind(|| {
        Var::new(Tensor::zeros(&[1, 4, 4, 1])).avg_pool2d((2, 2), (2, 2), Padding::Explicit(2, 0, 0, 0))
    });
    let m = r.unwrap_err().downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(m.contains("must be smaller than the window"), "{m}");
}

// ---------------------------------------------------------------------------------------------
// spatial dropout's mask and a whole small CNN

#[test]
fn channel_mask_broadcast_gradcheck() {
    // SpatialDropout2D: one mask value per (image, channel), broadcast over H and W.
    let mask = t64(&[2., 0., 2., 0., 0., 2.], &[2, 1, 1, 3]);
    check(|v| v[0].mul_mask(&mask), &[sym(&[2, 3, 4, 3], 950)]);
}

#[test]
fn a_small_cnn_end_to_end() {
    // conv 3x3 relu -> max pool 2 -> conv 2x2 "same" -> avg pool -> flatten -> dense -> NLL
    let t = Tensor::from_vec(vec![1.0f64, 0.0], &[2]);
    check(
        |v| {
            let h = v[0].conv2d_act(&v[1], Some(&v[2]), (1, 1), Padding::Valid, (1, 1), FusedActivation::Tanh);
            let h = h.max_pool2d((2, 2), (2, 2), Padding::Valid);
            let h = h.conv2d(&v[3], None, (1, 1), Padding::Same, (1, 1)).avg_pool2d((2, 2), (1, 1), Padding::Same);
            h.flatten_batch().dense(&v[4], None, FusedActivation::Identity).log_softmax_nll(&t).unwrap().mean_all()
        },
        &[sym(&[2, 6, 6, 2], 960), sym(&[3, 3, 2, 3], 961), sym(&[3], 962), sym(&[2, 2, 3, 2], 963), sym(&[8, 2], 964)],
    );
}

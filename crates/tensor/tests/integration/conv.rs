//! NHWC im2col / col2im and the `Window2d` geometry: hand-computed patches, convolution through
//! im2col against a naive direct convolution (strides, "same" padding with even kernels,
//! dilation, explicit padding, several channels), and col2im as the adjoint of im2col.

use crate::common;

use common::{assert_tensor, dot, small_ints, t32};
use kerosene_tensor::{DType, Padding, Rng, Tensor, Window2d};

/// One convolution setting: input [n, h, w, c], kernel (kh, kw), c_out, stride, dilation, padding.
#[derive(Clone, Copy, Debug)]
struct Case {
    input: [usize; 4],
    kernel: (usize, usize),
    c_out: usize,
    stride: (usize, usize),
    dilation: (usize, usize),
    padding: Padding,
}

const CASES: &[Case] = &[
    // Stride 2, valid, three channels, two images.
    Case { input: [2, 5, 6, 3], kernel: (3, 3), c_out: 2, stride: (2, 2), dilation: (1, 1), padding: Padding::Valid },
    // "Same" with an even 4x4 kernel: total padding 3, one on top / left and two below / right.
    Case { input: [1, 5, 5, 2], kernel: (4, 4), c_out: 3, stride: (1, 1), dilation: (1, 1), padding: Padding::Same },
    // "Same" with a 4x4 kernel and stride 2 on odd / even sizes.
    Case { input: [2, 7, 8, 3], kernel: (4, 4), c_out: 2, stride: (2, 2), dilation: (1, 1), padding: Padding::Same },
    // Dilation 2, "same".
    Case { input: [1, 7, 7, 2], kernel: (3, 3), c_out: 2, stride: (1, 1), dilation: (2, 2), padding: Padding::Same },
    // Dilation 2, valid, stride 2, rectangular kernel.
    Case { input: [2, 9, 8, 3], kernel: (2, 3), c_out: 2, stride: (2, 2), dilation: (2, 2), padding: Padding::Valid },
    // Mixed strides and dilations, "same" with an even kernel.
    Case { input: [1, 6, 9, 4], kernel: (2, 4), c_out: 3, stride: (2, 1), dilation: (1, 2), padding: Padding::Same },
    // Explicit padding (top 1, bottom 0, left 2, right 1), stride (1, 2).
    Case {
        input: [2, 4, 5, 2],
        kernel: (3, 2),
        c_out: 2,
        stride: (1, 2),
        dilation: (1, 1),
        padding: Padding::Explicit(1, 0, 2, 1),
    },
    // Stride larger than the kernel with "same": no padding needed.
    Case { input: [1, 7, 5, 1], kernel: (1, 1), c_out: 2, stride: (3, 3), dilation: (1, 1), padding: Padding::Same },
    // A kernel covering the whole input.
    Case { input: [3, 3, 4, 2], kernel: (3, 4), c_out: 1, stride: (1, 1), dilation: (1, 1), padding: Padding::Valid },
];

/// Output size and leading padding of one axis, computed from the textbook formulas.
fn axis_geometry(
    len: usize,
    k: usize,
    s: usize,
    d: usize,
    padding: Padding,
    explicit: (usize, usize),
) -> (usize, usize) {
    let eff = (k - 1) * d + 1;
    match padding {
        Padding::Valid => ((len - eff) / s + 1, 0),
        Padding::Same => {
            let out = len.div_ceil(s);
            let total = ((out - 1) * s + eff).saturating_sub(len);
            (out, total / 2)
        }
        Padding::Explicit(..) => ((len + explicit.0 + explicit.1 - eff) / s + 1, explicit.0),
    }
}

/// Direct convolution (cross-correlation, as Keras) of NHWC `x` with a `[kh, kw, c, c_out]` kernel.
fn naive_conv(x: &Tensor, k: &Tensor, case: &Case) -> (Vec<usize>, Vec<f64>) {
    let [n, h, w, c] = case.input;
    let (kh, kw) = case.kernel;
    let (eh, ew) = match case.padding {
        Padding::Explicit(t, b, l, r) => ((t, b), (l, r)),
        _ => ((0, 0), (0, 0)),
    };
    let (oh, pt) = axis_geometry(h, kh, case.stride.0, case.dilation.0, case.padding, eh);
    let (ow, pl) = axis_geometry(w, kw, case.stride.1, case.dilation.1, case.padding, ew);
    let (xv, kv) = (x.to_vec_f64(), k.to_vec_f64());
    let co = case.c_out;
    let mut out = vec![0.0; n * oh * ow * co];
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                for ky in 0..kh {
                    for kx in 0..kw {
                        let iy = (oy * case.stride.0 + ky * case.dilation.0) as isize - pt as isize;
                        let ix = (ox * case.stride.1 + kx * case.dilation.1) as isize - pl as isize;
                        if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                            continue;
                        }
                        let (iy, ix) = (iy as usize, ix as usize);
                        for ci in 0..c {
                            let xval = xv[((b * h + iy) * w + ix) * c + ci];
                            for o in 0..co {
                                out[((b * oh + oy) * ow + ox) * co + o] +=
                                    xval * kv[((ky * kw + kx) * c + ci) * co + o];
                            }
                        }
                    }
                }
            }
        }
    }
    (vec![n, oh, ow, co], out)
}

fn window(case: &Case) -> Window2d {
    Window2d::new("conv2d", &case.input, case.kernel, case.stride, case.dilation, case.padding).unwrap()
}

/// conv(x, k) through im2col: `im2col(x) @ k.reshape([kh kw c, c_out])`, reshaped to NHWC.
fn conv_via_im2col(x: &Tensor, k: &Tensor, g: &Window2d, c_out: usize) -> Tensor {
    let k2 = k.reshape_to(&[g.patch_len(), c_out]);
    x.im2col(g).matmul(&k2).reshape_to(&[g.n, g.out.0, g.out.1, c_out])
}

#[test]
fn im2col_by_hand() {
    // [[1,2,3],[4,5,6],[7,8,9]] with a 2x2 window, stride 1: one row per output position.
    let x = Tensor::arange(1.0, 10.0, 1.0).reshape(&[1, 3, 3, 1]);
    let g = Window2d::new("conv2d", x.shape(), (2, 2), (1, 1), (1, 1), Padding::Valid).unwrap();
    assert_eq!((g.out, g.pad, g.rows(), g.patch_len()), ((2, 2), (0, 0), 4, 4));
    let want = [1.0, 2.0, 4.0, 5.0, 2.0, 3.0, 5.0, 6.0, 4.0, 5.0, 7.0, 8.0, 5.0, 6.0, 8.0, 9.0];
    assert_tensor(&x.im2col(&g), &[4, 4], &want, 0.0);
    // Stride 2 on the same image with a 1x1 window: the corners [1,3,7,9].
    let g = Window2d::new("conv2d", x.shape(), (1, 1), (2, 2), (1, 1), Padding::Valid).unwrap();
    assert_tensor(&x.im2col(&g), &[4, 1], &[1.0, 3.0, 7.0, 9.0], 0.0);
    // Dilation 2 with a 2x2 window: the corners again, in one row.
    let g = Window2d::new("conv2d", x.shape(), (2, 2), (1, 1), (2, 2), Padding::Valid).unwrap();
    assert_tensor(&x.im2col(&g), &[1, 4], &[1.0, 3.0, 7.0, 9.0], 0.0);
}

#[test]
fn im2col_orders_patches_by_ky_kx_c() {
    // Two channels: pixel (y, x) holds [10y + x, -(10y + x)]; a 2x2 window covers the whole 2x2 image.
    let x = t32(&[0.0, -0.0, 1.0, -1.0, 10.0, -10.0, 11.0, -11.0], &[1, 2, 2, 2]);
    let g = Window2d::new("conv2d", x.shape(), (2, 2), (1, 1), (1, 1), Padding::Valid).unwrap();
    assert_tensor(&x.im2col(&g), &[1, 8], &[0.0, 0.0, 1.0, -1.0, 10.0, -10.0, 11.0, -11.0], 0.0);
    // A single pixel with a 3x3 "same" window: zeros from the padding around the centre tap.
    let p = t32(&[5.0], &[1, 1, 1, 1]);
    let g = Window2d::new("conv2d", p.shape(), (3, 3), (1, 1), (1, 1), Padding::Same).unwrap();
    assert_eq!((g.out, g.pad), ((1, 1), (1, 1)));
    assert_tensor(&p.im2col(&g), &[1, 9], &[0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0], 0.0);
}

#[test]
fn col2im_by_hand() {
    // All-ones columns of a 2x2 window over a 3x3 image count how many windows cover each pixel.
    let g = Window2d::new("conv2d", &[1, 3, 3, 1], (2, 2), (1, 1), (1, 1), Padding::Valid).unwrap();
    let counts = Tensor::ones(&[4, 4]).col2im(&g);
    assert_tensor(&counts, &[1, 3, 3, 1], &[1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0], 0.0);
    // Padding taps are dropped: a 3x3 "same" window over one pixel keeps only the centre.
    let g = Window2d::new("conv2d", &[1, 1, 1, 1], (3, 3), (1, 1), (1, 1), Padding::Same).unwrap();
    let cols = Tensor::arange(1.0, 10.0, 1.0).reshape(&[1, 9]);
    assert_tensor(&cols.col2im(&g), &[1, 1, 1, 1], &[5.0], 0.0);
    // Strided columns are read in logical order.
    let g = Window2d::new("conv2d", &[1, 2, 2, 1], (1, 1), (1, 1), (1, 1), Padding::Valid).unwrap();
    let cols = t32(&[1.0, 2.0, 3.0, 4.0], &[1, 4]).t();
    assert_tensor(&cols.col2im(&g), &[1, 2, 2, 1], &[1.0, 2.0, 3.0, 4.0], 0.0);
}

#[test]
fn window_geometry() {
    let g = Window2d::new("conv2d", &[8, 28, 28, 1], (3, 3), (1, 1), (1, 1), Padding::Valid).unwrap();
    assert_eq!((g.n, g.h, g.w, g.c, g.out, g.pad), (8, 28, 28, 1, (26, 26), (0, 0)));
    // "Same", 4x4 kernel, stride 2 on 28: out 14, total padding (13 * 2 + 4) - 28 = 2 -> top 1.
    let g = Window2d::new("conv2d", &[8, 28, 28, 1], (4, 4), (2, 2), (1, 1), Padding::Same).unwrap();
    assert_eq!((g.out, g.pad), ((14, 14), (1, 1)));
    // "Same", 4x4 kernel, stride 1 on 5: total 3 -> top 1 (the odd one goes to the bottom).
    let g = Window2d::new("conv2d", &[1, 5, 5, 1], (4, 4), (1, 1), (1, 1), Padding::Same).unwrap();
    assert_eq!((g.out, g.pad), ((5, 5), (1, 1)));
    // Dilation 2 with a 3x3 kernel spans 5: "same" on 7 pads 2 on each side.
    let g = Window2d::new("conv2d", &[1, 7, 7, 1], (3, 3), (1, 1), (2, 2), Padding::Same).unwrap();
    assert_eq!((g.out, g.pad), ((7, 7), (2, 2)));
    // Explicit padding: (4 + 1 + 0 - 3) / 1 + 1 = 3 rows; (5 + 2 + 1 - 2) / 2 + 1 = 4 columns.
    let g = Window2d::new("conv2d", &[2, 4, 5, 2], (3, 2), (1, 2), (1, 1), Padding::Explicit(1, 0, 2, 1)).unwrap();
    assert_eq!((g.out, g.pad, g.rows(), g.patch_len()), ((3, 4), (1, 2), 24, 12));
    // Stride 3 with a 1x1 "same" window on 7: ceil(7 / 3) = 3 positions, no padding.
    let g = Window2d::new("pool", &[1, 7, 7, 1], (1, 1), (3, 3), (1, 1), Padding::Same).unwrap();
    assert_eq!((g.out, g.pad), ((3, 3), (0, 0)));
    for case in CASES {
        let g = window(case);
        let ex = match case.padding {
            Padding::Explicit(t, b, l, r) => ((t, b), (l, r)),
            _ => ((0, 0), (0, 0)),
        };
        let (oh, pt) = axis_geometry(case.input[1], case.kernel.0, case.stride.0, case.dilation.0, case.padding, ex.0);
        let (ow, pl) = axis_geometry(case.input[2], case.kernel.1, case.stride.1, case.dilation.1, case.padding, ex.1);
        assert_eq!((g.out, g.pad), ((oh, ow), (pt, pl)), "{case:?}");
    }
}

#[test]
fn conv_through_im2col_matches_direct_convolution() {
    let mut rng = Rng::new(21);
    for case in CASES {
        let x = small_ints(&case.input, &mut rng);
        let k = small_ints(&[case.kernel.0, case.kernel.1, case.input[3], case.c_out], &mut rng);
        let g = window(case);
        let (shape, want) = naive_conv(&x, &k, case);
        // f64 and f32 (small integers: exact in both).
        assert_tensor(&conv_via_im2col(&x, &k, &g, case.c_out), &shape, &want, 0.0);
        assert_tensor(&conv_via_im2col(&x.to_f32(), &k.to_f32(), &g, case.c_out), &shape, &want, 0.0);
        assert_eq!(x.im2col(&g).dtype(), DType::F64);
    }
}

#[test]
fn im2col_of_strided_inputs() {
    let mut rng = Rng::new(8);
    for case in CASES {
        let [n, h, w, c] = case.input;
        // An NCHW tensor viewed as NHWC: a permuted, non-contiguous input.
        let nchw = small_ints(&[n, c, h, w], &mut rng);
        let x = nchw.permute(&[0, 2, 3, 1]);
        assert!(!x.is_contiguous() || c == 1);
        let g = window(case);
        assert_eq!(x.im2col(&g), x.contiguous().im2col(&g), "{case:?}");
        // A stepped slice of a wider image.
        let wide = small_ints(&[n, h, 2 * w, c], &mut rng);
        let xs = wide.slice(2, 1, 2 * w, 2);
        assert_eq!(xs.shape(), &case.input);
        assert_eq!(xs.im2col(&g), xs.contiguous().im2col(&g));
        // Strided columns for col2im.
        let cols = small_ints(&[g.patch_len(), g.rows()], &mut rng).t();
        assert_eq!(cols.col2im(&g), cols.contiguous().col2im(&g));
    }
}

#[test]
fn col2im_is_the_adjoint_of_im2col() {
    let mut rng = Rng::new(13);
    for case in CASES {
        let g = window(case);
        let x = small_ints(&case.input, &mut rng);
        let y = small_ints(&[g.rows(), g.patch_len()], &mut rng);
        // <im2col(x), y> == <x, col2im(y)>, exactly on small integers.
        assert_eq!(dot(&x.im2col(&g), &y), dot(&x, &y.col2im(&g)), "{case:?}");
        let (x32, y32) = (x.to_f32(), y.to_f32());
        assert_eq!(dot(&x32.im2col(&g), &y32), dot(&x32, &y32.col2im(&g)), "{case:?}");
    }
}

#[test]
fn size_zero_batch_and_channels() {
    let g = Window2d::new("conv2d", &[0, 4, 4, 2], (2, 2), (1, 1), (1, 1), Padding::Valid).unwrap();
    assert_eq!(Tensor::zeros(&[0, 4, 4, 2]).im2col(&g).shape(), &[0, 8]);
    assert_eq!(Tensor::zeros(&[0, 8]).col2im(&g).shape(), &[0, 4, 4, 2]);
    let g = Window2d::new("conv2d", &[2, 3, 3, 0], (2, 2), (1, 1), (1, 1), Padding::Valid).unwrap();
    assert_eq!(Tensor::zeros(&[2, 3, 3, 0]).im2col(&g).shape(), &[8, 0]);
    assert_eq!(Tensor::zeros(&[8, 0]).col2im(&g).shape(), &[2, 3, 3, 0]);
}

#[test]
fn large_inputs_take_the_parallel_path() {
    // 4 images of 16x16x8, 3x3 "same": 1024 rows of 72 columns (more than 2^16 elements).
    let case = Case {
        input: [4, 16, 16, 8],
        kernel: (3, 3),
        c_out: 2,
        stride: (1, 1),
        dilation: (1, 1),
        padding: Padding::Same,
    };
    let mut rng = Rng::new(99);
    let x = small_ints(&case.input, &mut rng);
    let k = small_ints(&[3, 3, 8, 2], &mut rng);
    let g = window(&case);
    assert!(g.rows() * g.patch_len() >= 1 << 16);
    let (shape, want) = naive_conv(&x, &k, &case);
    assert_tensor(&conv_via_im2col(&x.to_f32(), &k.to_f32(), &g, 2), &shape, &want, 0.0);
    let y = small_ints(&[g.rows(), g.patch_len()], &mut rng);
    assert_eq!(dot(&x.im2col(&g), &y), dot(&x, &y.col2im(&g)));
}

#[test]
fn geometry_errors() {
    let e = |r: kerosene_tensor::Result<Window2d>| r.unwrap_err().to_string();
    assert_eq!(
        e(Window2d::new("conv2d", &[1, 5, 5], (3, 3), (1, 1), (1, 1), Padding::Valid)),
        "conv2d: expected an NHWC input of rank 4, got shape [1, 5, 5]"
    );
    assert_eq!(
        e(Window2d::new("conv2d", &[1, 5, 5, 1], (3, 0), (1, 1), (1, 1), Padding::Valid)),
        "conv2d: kernel (3, 0), strides (1, 1) and dilation (1, 1) must be positive"
    );
    assert_eq!(
        e(Window2d::new("max_pool2d", &[1, 5, 5, 1], (3, 3), (0, 1), (1, 1), Padding::Valid)),
        "max_pool2d: kernel (3, 3), strides (0, 1) and dilation (1, 1) must be positive"
    );
    assert_eq!(
        e(Window2d::new("conv2d", &[1, 4, 5, 1], (3, 3), (1, 1), (2, 2), Padding::Valid)),
        "conv2d: window 3x3 (dilation (2, 2)) is larger than the padded input 4x5 of shape [1, 4, 5, 1]"
    );
    let g = Window2d::new("conv2d", &[1, 4, 4, 2], (2, 2), (1, 1), (1, 1), Padding::Valid).unwrap();
    assert_eq!(
        Tensor::zeros(&[1, 4, 4, 3]).try_im2col(&g).unwrap_err().to_string(),
        "im2col: input does not match the window geometry: lhs [1, 4, 4, 3], rhs [1, 4, 4, 2]"
    );
    assert_eq!(
        Tensor::zeros(&[9, 7]).try_col2im(&g).unwrap_err().to_string(),
        "col2im: columns do not match the window: lhs [9, 7], rhs [9, 8]"
    );
}

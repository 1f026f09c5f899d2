//! Property tests (proptest, 64 cases each): matmul against a naive triple loop on random shapes,
//! broadcast batch axes and random strides; transpose / permute / reshape round trips; sums over
//! axes in any order; commutative broadcasting; softmax rows summing to 1.

use crate::common;

use common::{naive_matmul, small_ints};
use kerosene_tensor::{Rng, Tensor, ndarray};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// 64 cases from a fixed seed: the suite is fast and deterministic (no regression files).
fn config() -> ProptestConfig {
    ProptestConfig {
        rng_seed: RngSeed::Fixed(0x6b65_726f_7365_6e65),
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    }
}

/// How an operand is laid out in memory; its logical shape and values do not depend on it.
#[derive(Clone, Copy, Debug)]
enum Layout {
    Contiguous,
    /// A transposed view of the last two axes.
    Transposed,
    /// A slice with step 2 or 3 along one axis (counted from the end) of a larger tensor.
    Stepped {
        axis_from_end: usize,
        step: usize,
    },
    /// Stepped along the last axis of the storage, then transposed.
    SteppedTransposed {
        step: usize,
    },
    /// Every axis reversed in memory (batch axes too).
    Reversed,
    /// Negative strides: one axis flipped by ndarray, handed over with `from_array`.
    Flipped {
        axis_from_end: usize,
    },
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        2 => Just(Layout::Contiguous),
        1 => Just(Layout::Transposed),
        1 => (0usize..3, 2usize..=3).prop_map(|(axis_from_end, step)| Layout::Stepped { axis_from_end, step }),
        1 => (2usize..=3).prop_map(|step| Layout::SteppedTransposed { step }),
        1 => Just(Layout::Reversed),
        1 => (0usize..3).prop_map(|axis_from_end| Layout::Flipped { axis_from_end }),
    ]
}

/// Slices axis `d` of `t` with `step` starting at `off`, keeping `len` elements.
fn stepped(t: &Tensor, d: usize, len: usize, step: usize, off: usize) -> Tensor {
    let off = if len == 0 { 0 } else { off };
    t.slice(d as isize, off, off + len.saturating_sub(1) * step + 1, step)
}

/// A tensor of small integers with logical `shape`, laid out as `layout`.
fn make(shape: &[usize], layout: Layout, rng: &mut Rng) -> Tensor {
    let nd = shape.len();
    let t = match layout {
        Layout::Contiguous => small_ints(shape, rng),
        Layout::Transposed if nd >= 2 => {
            let mut s = shape.to_vec();
            s.swap(nd - 2, nd - 1);
            small_ints(&s, rng).t()
        }
        Layout::Stepped { axis_from_end, step } if nd > axis_from_end => {
            let d = nd - 1 - axis_from_end;
            let mut s = shape.to_vec();
            s[d] *= step;
            let off = rng.below(step);
            stepped(&small_ints(&s, rng), d, shape[d], step, off)
        }
        Layout::SteppedTransposed { step } if nd >= 2 => {
            let mut s = shape.to_vec();
            s.swap(nd - 2, nd - 1);
            let len = s[nd - 1];
            s[nd - 1] *= step;
            let off = rng.below(step);
            stepped(&small_ints(&s, rng), nd - 1, len, step, off).t()
        }
        Layout::Reversed => {
            let rev: Vec<usize> = shape.iter().rev().copied().collect();
            let axes: Vec<usize> = (0..nd).rev().collect();
            small_ints(&rev, rng).permute(&axes)
        }
        Layout::Flipped { axis_from_end } if nd > axis_from_end => {
            let mut a = small_ints(shape, rng).view::<f64>().to_owned();
            a.invert_axis(ndarray::Axis(nd - 1 - axis_from_end));
            Tensor::from_array(a)
        }
        _ => small_ints(shape, rng),
    };
    assert_eq!(t.shape(), shape);
    t
}

/// Shapes of a random batched product: batch axes (each operand may broadcast or drop them),
/// m, k, n, and whether each operand is a vector.
#[derive(Clone, Debug)]
struct MatmulCase {
    batch: Vec<usize>,
    a_keep: Vec<bool>,
    b_keep: Vec<bool>,
    a_drop: usize,
    b_drop: usize,
    m: usize,
    k: usize,
    n: usize,
    a_vec: bool,
    b_vec: bool,
}

fn matmul_case() -> impl Strategy<Value = MatmulCase> {
    (proptest::collection::vec(1usize..=3, 0..=2), 0usize..=5, 0usize..=5, 0usize..=5, any::<(bool, bool)>())
        .prop_flat_map(|(batch, m, k, n, vecs)| {
            let nb = batch.len();
            (
                Just(batch),
                proptest::collection::vec(any::<bool>(), nb),
                proptest::collection::vec(any::<bool>(), nb),
                0..=nb,
                0..=nb,
                Just((m, k, n, vecs)),
            )
        })
        .prop_map(|(batch, a_keep, b_keep, a_drop, b_drop, (m, k, n, (a_vec, b_vec)))| MatmulCase {
            batch,
            a_keep,
            b_keep,
            a_drop,
            b_drop,
            m: m.max(1),
            k,
            n: n.max(1),
            a_vec,
            b_vec,
        })
}

impl MatmulCase {
    fn shapes(&self) -> (Vec<usize>, Vec<usize>) {
        let batch_of = |keep: &[bool], drop: usize| -> Vec<usize> {
            self.batch.iter().zip(keep).skip(drop).map(|(&d, &k)| if k { d } else { 1 }).collect()
        };
        // A vector operand has no batch axes.
        let a = if self.a_vec {
            vec![self.k]
        } else {
            let mut s = batch_of(&self.a_keep, self.a_drop);
            s.extend([self.m, self.k]);
            s
        };
        let b = if self.b_vec {
            vec![self.k]
        } else {
            let mut s = batch_of(&self.b_keep, self.b_drop);
            s.extend([self.k, self.n]);
            s
        };
        (a, b)
    }
}

/// A shape of up to `max_nd` axes of length `0..=max_len`.
fn shape(max_nd: usize, min_len: usize, max_len: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(min_len..=max_len, 0..=max_nd)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn matmul_matches_naive(case in matmul_case(), la in layout(), lb in layout(), seed in any::<u64>()) {
        let (sa, sb) = case.shapes();
        let mut rng = Rng::new(seed);
        let a = make(&sa, la, &mut rng);
        let b = make(&sb, lb, &mut rng);
        let (shape, want) = naive_matmul(&a, &b);
        let c = a.matmul(&b);
        prop_assert_eq!(c.shape(), &shape[..]);
        // Small integers: exact in f64 and in f32, whatever the order of the sums.
        prop_assert_eq!(c.to_vec_f64(), want.clone());
        let c32 = a.to_f32().matmul(&b.to_f32());
        prop_assert_eq!(c32.to_vec_f64(), want);
    }

    #[test]
    fn matmul_of_views_equals_matmul_of_copies(
        case in matmul_case(), la in layout(), lb in layout(), seed in any::<u64>()
    ) {
        let (sa, sb) = case.shapes();
        let mut rng = Rng::new(seed);
        let a = make(&sa, la, &mut rng).to_f32();
        let b = make(&sb, lb, &mut rng).to_f32();
        prop_assert_eq!(a.matmul(&b), a.contiguous().matmul(&b.contiguous()));
    }

    #[test]
    fn transpose_twice_is_identity(s in shape(4, 0, 4), i in 0usize..4, j in 0usize..4, l in layout(), seed in any::<u64>()) {
        prop_assume!(!s.is_empty());
        let t = make(&s, l, &mut Rng::new(seed));
        let nd = s.len() as isize;
        let (i, j) = (i as isize % nd, j as isize % nd - nd); // one positive, one negative axis
        let tt = t.transpose(i, j).transpose(i, j);
        prop_assert_eq!(tt.shape(), t.shape());
        prop_assert_eq!(tt.strides(), t.strides());
        prop_assert_eq!(&tt, &t);
        prop_assert_eq!(t.t().t(), t);
    }

    #[test]
    fn permute_then_inverse_is_identity(s in shape(4, 0, 4), seed in any::<u64>(), l in layout()) {
        let mut rng = Rng::new(seed);
        let t = make(&s, l, &mut rng);
        let p = rng.permutation(s.len());
        let mut inv = vec![0; p.len()];
        for (i, &a) in p.iter().enumerate() {
            inv[a] = i;
        }
        let q = t.permute(&p);
        for (i, &a) in p.iter().enumerate() {
            prop_assert_eq!(q.shape()[i], s[a]);
        }
        prop_assert_eq!(q.permute(&inv), t);
    }

    #[test]
    fn reshape_round_trips(
        factors in proptest::collection::vec(1usize..=4, 0..=5),
        cuts_a in proptest::collection::vec(any::<bool>(), 5),
        cuts_b in proptest::collection::vec(any::<bool>(), 5),
        l in layout(),
        seed in any::<u64>(),
    ) {
        // Two shapes with the same number of elements: groupings of the same factors.
        let group = |cuts: &[bool], fs: &[usize]| -> Vec<usize> {
            let mut out = Vec::new();
            let mut cur = 1;
            for (i, &f) in fs.iter().enumerate() {
                cur *= f;
                if cuts[i] || i + 1 == fs.len() {
                    out.push(cur);
                    cur = 1;
                }
            }
            out
        };
        let mut rng = Rng::new(seed);
        let sa = group(&cuts_a, &factors);
        let mut shuffled = factors.clone();
        rng.shuffle(&mut shuffled);
        let sb = group(&cuts_b, &shuffled);
        let t = make(&sa, l, &mut rng);
        let ib: Vec<isize> = sb.iter().map(|&d| d as isize).collect();
        let r = t.reshape(&ib);
        prop_assert_eq!(r.shape(), &sb[..]);
        prop_assert_eq!(r.to_vec::<f64>(), t.to_vec::<f64>(), "row-major order is kept");
        prop_assert_eq!(r.reshape_to(&sa), t.contiguous());
        prop_assert_eq!(t.flatten_all().reshape_to(&sa), t.clone());
        // With an inferred axis.
        if !sb.is_empty() && sb.iter().all(|&d| d > 0) {
            let mut inferred = ib.clone();
            inferred[0] = -1;
            let r = t.reshape(&inferred);
            prop_assert_eq!(r.shape(), &sb[..]);
        }
    }

    #[test]
    fn sum_over_axes_in_any_order(s in shape(4, 0, 4), l in layout(), seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let t = make(&s, l, &mut rng);
        let all: Vec<isize> = (0..s.len() as isize).collect();
        let total = t.sum(&all, false);
        prop_assert_eq!(total.shape(), &[] as &[usize]);
        prop_assert_eq!(total.item(), t.to_vec_f64().iter().sum::<f64>());
        prop_assert_eq!(t.sum_all().item(), total.item());
        // Axis by axis, in a random order, keeping dims so that the axis numbers stay valid.
        let order = rng.permutation(s.len());
        let mut acc = t.clone();
        for &a in &order {
            acc = acc.sum(&[a as isize], true);
        }
        prop_assert_eq!(acc.shape(), &vec![1; s.len()][..]);
        prop_assert_eq!(acc.item(), total.item());
        // Same without keepdims: always reduce the (current) axis named by a random pick.
        let mut acc = t.clone();
        while acc.ndim() > 0 {
            let a = rng.below(acc.ndim()) as isize;
            acc = acc.sum(&[a], false);
        }
        prop_assert_eq!(acc.item(), total.item());
        // A subset of axes at once equals those axes one by one.
        if s.len() >= 2 {
            let two = [order[0] as isize, order[1] as isize];
            let once = t.sum(&two, true);
            let stepwise = t.sum(&[two[0]], true).sum(&[two[1]], true);
            prop_assert_eq!(once, stepwise);
        }
    }

    #[test]
    fn broadcast_add_is_commutative(
        out in shape(4, 0, 3),
        keep_a in proptest::collection::vec(any::<bool>(), 4),
        keep_b in proptest::collection::vec(any::<bool>(), 4),
        drop_a in 0usize..=4,
        drop_b in 0usize..=4,
        la in layout(),
        lb in layout(),
        seed in any::<u64>(),
    ) {
        let operand = |keep: &[bool], drop: usize| -> Vec<usize> {
            out.iter().enumerate().skip(drop.min(out.len())).map(|(i, &d)| if keep[i] { d } else { 1 }).collect()
        };
        let (sa, sb) = (operand(&keep_a, drop_a), operand(&keep_b, drop_b));
        let mut rng = Rng::new(seed);
        let a = make(&sa, la, &mut rng);
        let b = make(&sb, lb, &mut rng);
        let ab = a.add(&b);
        let ba = b.add(&a);
        prop_assert_eq!(&ab, &ba);
        // Equal to adding the materialized broadcasts.
        let full = ab.shape().to_vec();
        prop_assert_eq!(&ab, &a.broadcast_to(&full).add(&b.broadcast_to(&full)));
        prop_assert_eq!(a.mul(&b), b.mul(&a));
        prop_assert_eq!(a.sub(&b), b.sub(&a).neg());
        // sum_to_shape undoes the broadcast: <broadcast(a), g> == <a, sum_to_shape(g)>.
        let g = small_ints(&full, &mut rng);
        let lhs: f64 = a.broadcast_to(&full).mul(&g).sum_all().item();
        prop_assert_eq!(lhs, a.mul(&g.sum_to_shape(&sa)).sum_all().item());
    }

    #[test]
    fn broadcast_with_equal_axis_lengths(
        d in 2usize..=3,
        nd in 1usize..=3,
        keep_b in proptest::collection::vec(any::<bool>(), 3),
        drop_b in 0usize..=3,
        column in any::<bool>(),
        la in layout(),
        lb in layout(),
        seed in any::<u64>(),
    ) {
        // All axes have the same length, so a [d, 1] column has as many elements as a row: the
        // fast paths must still broadcast it along the right axis.
        let full = vec![d; nd];
        let mut sb: Vec<usize> = (drop_b.min(nd)..nd).map(|i| if keep_b[i] { d } else { 1 }).collect();
        let nb = sb.len();
        if column && nb >= 2 {
            sb[nb - 2] = d;
            sb[nb - 1] = 1;
        }
        let mut rng = Rng::new(seed);
        let a = make(&full, la, &mut rng);
        let b = make(&sb, lb, &mut rng);
        let bf = b.broadcast_to(&full);
        prop_assert_eq!(a.add(&b), a.add(&bf));
        prop_assert_eq!(b.sub(&a), bf.sub(&a));
        prop_assert_eq!(a.maximum(&b), a.maximum(&bf));
        let mut acc = a.clone();
        acc.add_assign_scaled(&b, 2.0);
        prop_assert_eq!(acc, a.add(&bf.mul_scalar(2.0)));
    }

    #[test]
    fn unary_ops_ignore_the_layout(s in shape(4, 0, 4), l in layout(), at in 0usize..5, seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let t = make(&s, l, &mut rng);
        // Also through an inserted length-1 axis, whose stride is arbitrary.
        let u = t.unsqueeze((at % (s.len() + 1)) as isize);
        for x in [t.clone(), u] {
            let c = x.contiguous();
            prop_assert_eq!(x.to_vec_f64(), c.to_vec_f64());
            prop_assert_eq!(x.neg(), c.neg());
            prop_assert_eq!(x.square().add_scalar(1.0).sqrt(), c.square().add_scalar(1.0).sqrt());
            prop_assert_eq!(x.to_f32().relu(), c.to_f32().relu());
            prop_assert_eq!(x.map_f64(|v| 2.0 * v - 1.0), c.map_f64(|v| 2.0 * v - 1.0));
            prop_assert_eq!(x.add(&Tensor::scalar_dtype(1.0, x.dtype())), c.add_scalar(1.0));
            prop_assert_eq!(x.sum_all(), c.sum_all());
            if !s.is_empty() {
                prop_assert_eq!(x.sum(&[-1], false), c.sum(&[-1], false));
            }
        }
    }

    #[test]
    fn softmax_rows_sum_to_one(
        s in shape(3, 1, 5),
        axis in 0usize..3,
        offset in prop_oneof![Just(0.0), Just(1e4), Just(-1e4)],
        l in layout(),
        f64_type in any::<bool>(),
        seed in any::<u64>(),
    ) {
        prop_assume!(!s.is_empty());
        let mut rng = Rng::new(seed);
        let ints = make(&s, l, &mut rng);
        // Values in [-50, 50] around the offset (integers * 16.5 plus a fraction).
        let x = ints.mul_scalar(16.5).add_scalar(offset + 0.25);
        let x = if f64_type { x } else { x.to_f32() };
        let ax = (axis % s.len()) as isize;
        let tol = if f64_type { 1e-12 } else { 1e-5 };
        let p = x.softmax(ax);
        prop_assert!(p.all_finite());
        prop_assert!(p.to_vec_f64().iter().all(|&v| (0.0..=1.0 + tol).contains(&v)));
        let sums = p.sum(&[ax], false).to_vec_f64();
        prop_assert!(sums.iter().all(|&v| (v - 1.0).abs() < tol), "{:?}", sums);
        // log_softmax is finite and its exponent is softmax; logsumexp shifts it.
        let l = x.log_softmax(ax);
        prop_assert!(l.all_finite());
        prop_assert!(l.exp().allclose(&p, tol, tol));
        let lse = x.logsumexp(ax, true);
        prop_assert!(lse.all_finite());
        prop_assert!(x.sub(&lse).allclose(&l, tol, tol * 1e4));
        // The same as on a contiguous copy.
        prop_assert!(x.contiguous().softmax(ax).allclose(&p, tol, tol));
    }
}

//! Index operations: index_select / index_add, gather / scatter_add (and their adjointness),
//! one_hot, the index checks and their messages, unravel.

use crate::common;

use common::{assert_close, assert_tensor, dot, small_ints, t32, t64};
use kerosene_tensor::{DType, Rng, Tensor, indices_in_range, unravel};

/// [[0,1],[10,11],[20,21]]
fn rows() -> Tensor {
    t32(&[0.0, 1.0, 10.0, 11.0, 20.0, 21.0], &[3, 2])
}

fn err<T: std::fmt::Debug>(r: kerosene_tensor::Result<T>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn index_select_by_hand() {
    let t = rows();
    assert_tensor(&t.index_select(0, &[2, 0]), &[2, 2], &[20.0, 21.0, 0.0, 1.0], 0.0);
    assert_tensor(&t.index_select(0, &[1, 1, 1]), &[3, 2], &[10.0, 11.0, 10.0, 11.0, 10.0, 11.0], 0.0);
    assert_tensor(&t.index_select(1, &[1]), &[3, 1], &[1.0, 11.0, 21.0], 0.0);
    assert_tensor(&t.index_select(-1, &[1, 0, 1]), &[3, 3], &[1.0, 0.0, 1.0, 11.0, 10.0, 11.0, 21.0, 20.0, 21.0], 0.0);
    assert_eq!(t.index_select(0, &[]).shape(), &[0, 2]);
    assert_eq!(t.index_select(1, &[]).shape(), &[3, 0]);
    let d = t.to_f64().index_select(0, &[2]);
    assert_eq!((d.dtype(), d.to_vec::<f64>()), (DType::F64, vec![20.0, 21.0]));
    // 1-D and 3-D.
    assert_tensor(&t32(&[5.0, 6.0, 7.0], &[3]).index_select(0, &[2, 2, 0]), &[3], &[7.0, 7.0, 5.0], 0.0);
    let c = Tensor::arange(0.0, 12.0, 1.0).reshape(&[2, 3, 2]);
    assert_tensor(&c.index_select(1, &[2, 0]), &[2, 2, 2], &[4.0, 5.0, 0.0, 1.0, 10.0, 11.0, 6.0, 7.0], 0.0);
    assert_tensor(&c.index_select(0, &[1]), &[1, 3, 2], &[6.0, 7.0, 8.0, 9.0, 10.0, 11.0], 0.0);
}

#[test]
fn index_select_of_strided_views() {
    // rows()^T = [[0,10,20],[1,11,21]]
    let tt = rows().t();
    assert_tensor(&tt.index_select(0, &[1]), &[1, 3], &[1.0, 11.0, 21.0], 0.0);
    assert_tensor(&tt.index_select(1, &[2, 0]), &[2, 2], &[20.0, 0.0, 21.0, 1.0], 0.0);
    // Stepped slice: rows 0 and 2 -> [[0,1],[20,21]]
    let s = rows().slice(0, 0, 3, 2);
    assert_tensor(&s.index_select(0, &[1, 0]), &[2, 2], &[20.0, 21.0, 0.0, 1.0], 0.0);
    let p = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]).permute(&[2, 0, 1]);
    assert_eq!(p.index_select(0, &[3, 1]), p.contiguous().index_select(0, &[3, 1]));
    assert_eq!(p.index_select(2, &[0, 0]), p.contiguous().index_select(2, &[0, 0]));
}

#[test]
fn index_add_by_hand() {
    // [[1,2],[3,4],[5,6]] added at rows [2,0,2] of a [4,2] zero tensor: [[3,4],[0,0],[6,8],[0,0]]
    let src = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
    assert_tensor(&src.index_add(0, &[2, 0, 2], 4), &[4, 2], &[3.0, 4.0, 0.0, 0.0, 6.0, 8.0, 0.0, 0.0], 0.0);
    // Along axis 1: [[1,2],[3,4]] at columns [1,1] of [2,3] -> [[0,3,0],[0,7,0]]
    let s2 = t64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let o = s2.index_add(1, &[1, 1], 3);
    assert_eq!(o.dtype(), DType::F64);
    assert_tensor(&o, &[2, 3], &[0.0, 3.0, 0.0, 0.0, 7.0, 0.0], 0.0);
    // Transposed source [[1,3],[2,4]] at rows [0,0] of [1,2]: [[3,7]]
    assert_tensor(&s2.t().index_add(0, &[0, 0], 1), &[1, 2], &[3.0, 7.0], 0.0);
    assert_tensor(&Tensor::zeros(&[0, 2]).index_add(0, &[], 3), &[3, 2], &[0.0; 6], 0.0);
}

#[test]
fn index_select_and_index_add_are_adjoint() {
    let mut rng = Rng::new(11);
    for (shape, axis, idx, dim) in [
        (vec![5, 3], 0isize, vec![4usize, 0, 4, 2], 5usize),
        (vec![2, 6, 3], 1, vec![5, 5, 1], 6),
        (vec![2, 3, 4], -1, vec![3, 0, 1, 3, 3], 4),
        (vec![3, 2], 0, vec![], 3),
    ] {
        let x = small_ints(&shape, &mut rng);
        let ys = x.index_select(axis, &idx);
        let y = small_ints(ys.shape(), &mut rng);
        assert_eq!(dot(&ys, &y), dot(&x, &y.index_add(axis, &idx, dim)));
        // Through strided views too.
        let xt = x.t().contiguous().t();
        assert_eq!(dot(&xt.index_select(axis, &idx), &y), dot(&xt, &y.t().contiguous().t().index_add(axis, &idx, dim)));
    }
}

#[test]
fn gather_by_hand() {
    let p = t32(&[0.1, 0.9, 0.8, 0.2], &[2, 2]);
    assert_tensor(&p.gather(1, &t32(&[1.0, 0.0], &[2, 1])), &[2, 1], &[0.9, 0.8], 1e-7);
    // [[1,2,3],[4,5,6]] gathered on axis 0 by [[1,0,1]] -> [[4,2,6]]
    let x = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_tensor(&x.gather(0, &t32(&[1.0, 0.0, 1.0], &[1, 3])), &[1, 3], &[4.0, 2.0, 6.0], 0.0);
    // An index smaller than the source outside the axis: x9 = [[1,2,3],[4,5,6],[7,8,9]],
    // idx [[2,0],[1,1]] on axis 1 -> [[3,1],[5,5]]
    let x9 = Tensor::arange(1.0, 10.0, 1.0).reshape(&[3, 3]);
    assert_tensor(&x9.gather(1, &t32(&[2.0, 0.0, 1.0, 1.0], &[2, 2])), &[2, 2], &[3.0, 1.0, 5.0, 5.0], 0.0);
    // Strided source and index: x9^T = [[1,4,7],[2,5,8],[3,6,9]]; idx^T of [[0,1,2],[2,1,0]]... -> [[0,2],[1,1],[2,0]]
    let idx = t64(&[0.0, 1.0, 2.0, 2.0, 1.0, 0.0], &[2, 3]).t();
    assert_tensor(&x9.t().gather(1, &idx), &[3, 2], &[1.0, 7.0, 5.0, 5.0, 9.0, 3.0], 0.0);
    // The index may have another element type; the output follows the source.
    let g = x9.to_f64().gather(0, &t32(&[2.0], &[1, 1]));
    assert_eq!((g.dtype(), g.to_vec::<f64>()), (DType::F64, vec![7.0]));
    assert_eq!(x9.gather(1, &Tensor::zeros(&[3, 0])).shape(), &[3, 0]);
}

#[test]
fn scatter_add_by_hand() {
    // src [[1,2],[3,4]], idx [[0,0],[1,0]] on axis 1 into [2,3]: [[1+2,0,0],[4,3,0]]
    let src = t32(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let idx = t32(&[0.0, 0.0, 1.0, 0.0], &[2, 2]);
    assert_tensor(&src.scatter_add(1, &idx, &[2, 3]), &[2, 3], &[3.0, 0.0, 0.0, 4.0, 3.0, 0.0], 0.0);
    // On axis 0 into [3,2]: src[0,j] goes to row idx[0,j], src[1,j] to row idx[1,j].
    // idx [[2,0],[2,2]] -> row 2 col 0: 1 + 3; row 0 col 1: 2; row 2 col 1: 4
    let idx = t32(&[2.0, 0.0, 2.0, 2.0], &[2, 2]);
    assert_tensor(&src.scatter_add(0, &idx, &[3, 2]), &[3, 2], &[0.0, 2.0, 0.0, 0.0, 4.0, 4.0], 0.0);
    // A transposed source: src^T = [[1,3],[2,4]] with idx [[0,0],[0,0]] on axis 0 into [1,2]: [[3,7]]
    let z = Tensor::zeros(&[2, 2]);
    assert_tensor(&src.t().to_f64().scatter_add(0, &z, &[1, 2]), &[1, 2], &[3.0, 7.0], 0.0);
    assert_eq!(src.to_f64().scatter_add(1, &idx, &[2, 3]).dtype(), DType::F64);
}

#[test]
fn gather_and_scatter_add_are_adjoint() {
    let mut rng = Rng::new(5);
    for (shape, ishape, axis) in [
        (vec![4, 3], vec![4, 5], 1isize),
        (vec![4, 3], vec![2, 3], 0),
        (vec![2, 3, 4], vec![2, 2, 6], -1),
        (vec![3, 3], vec![2, 2], 1),
        (vec![3, 3], vec![3, 0], 1),
    ] {
        let x = small_ints(&shape, &mut rng);
        let ax = if axis < 0 { (axis + shape.len() as isize) as usize } else { axis as usize };
        let n: usize = ishape.iter().product();
        let idx_v: Vec<f32> = (0..n).map(|_| rng.below(shape[ax]) as f32).collect();
        let idx = Tensor::from_vec(idx_v, &ishape);
        let y = small_ints(&ishape, &mut rng);
        let lhs = dot(&x.gather(axis, &idx), &y);
        assert_eq!(lhs, dot(&x, &y.scatter_add(axis, &idx, &shape)));
        // Strided source.
        let xs = x.t().contiguous().t();
        assert_eq!(dot(&xs.gather(axis, &idx), &y), lhs);
    }
}

#[test]
fn one_hot_encodes() {
    // [2, 0] with 3 classes -> [[0,0,1],[1,0,0]]
    let y = t32(&[2.0, 0.0], &[2]);
    let o = y.one_hot(3);
    assert_eq!((o.dtype(), o.shape()), (DType::F32, &[2usize, 3][..]));
    assert_eq!(o.to_vec::<f32>(), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    // 2-D labels [[1],[0]] with 2 classes -> shape [2,1,2]
    let o = t64(&[1.0, 0.0], &[2, 1]).one_hot(2);
    assert_eq!((o.dtype(), o.shape()), (DType::F64, &[2usize, 1, 2][..]));
    assert_eq!(o.to_vec::<f64>(), vec![0.0, 1.0, 1.0, 0.0]);
    // Transposed labels [[0,2],[1,0]]^T = [[0,1],[2,0]]
    let o = t32(&[0.0, 2.0, 1.0, 0.0], &[2, 2]).t().one_hot(3);
    assert_eq!(o.argmax_indices(-1), vec![0, 1, 2, 0]);
    assert_eq!(Tensor::zeros(&[0]).one_hot(4).shape(), &[0, 4]);
    assert_eq!(Tensor::scalar(1.0).one_hot(2).to_vec::<f32>(), vec![0.0, 1.0]);
    assert_eq!(t32(&[-0.0], &[1]).one_hot(1).to_vec::<f32>(), vec![1.0]);
}

#[test]
fn bad_float_indices_name_the_index_and_position() {
    let x = Tensor::arange(1.0, 7.0, 1.0).reshape(&[3, 2]);
    // Negative.
    assert_eq!(
        err(x.try_gather(1, &t32(&[1.0, 0.0, -1.0], &[3, 1]))),
        "gather: index -1 at position [2, 0] is out of range 0..2"
    );
    // Fractional.
    assert_eq!(
        err(t32(&[0.0, 1.5], &[2]).try_one_hot(3)),
        "one_hot: index 1.5 at position [1] is not a whole number in range 0..3"
    );
    // Out of range.
    assert_eq!(
        err(t32(&[0.0, 2.0, 7.0], &[3]).try_one_hot(3)),
        "one_hot: index 7 at position [2] is out of range 0..3"
    );
    assert_eq!(
        err(t64(&[0.0, 1.0, 2.0, 3.0], &[2, 2]).try_one_hot(3)),
        "one_hot: index 3 at position [1, 1] is out of range 0..3"
    );
    // NaN and infinity.
    assert_eq!(
        err(t32(&[f32::NAN], &[1]).try_one_hot(3)),
        "one_hot: index NaN at position [0] is not a whole number in range 0..3"
    );
    assert_eq!(
        err(t32(&[0.0, f32::INFINITY], &[1, 2]).try_one_hot(3)),
        "one_hot: index inf at position [0, 1] is not a whole number in range 0..3"
    );
    // scatter_add checks its index the same way.
    let src = Tensor::ones(&[2, 2]);
    assert_eq!(
        err(src.try_scatter_add(0, &t32(&[0.0, 1.0, 0.5, 0.0], &[2, 2]), &[3, 2])),
        "scatter_add: index 0.5 at position [1, 0] is not a whole number in range 0..3"
    );
    assert_eq!(
        err(src.try_scatter_add(1, &t32(&[0.0, 1.0, 0.0, 2.0], &[2, 2]), &[2, 2])),
        "scatter_add: index 2 at position [1, 1] is out of range 0..2"
    );
    // The position is the logical one, also for a transposed index: [[0,5],[1,0]]^T has 5 at [1, 0].
    assert_eq!(
        err(x.try_gather(0, &t32(&[0.0, 5.0, 1.0, 0.0], &[2, 2]).t())),
        "gather: index 5 at position [1, 0] is out of range 0..3"
    );
}

#[test]
fn bad_usize_indices_name_the_index_and_position() {
    let t = rows();
    assert_eq!(
        err(t.try_index_select(0, &[0, 5])),
        "index_select: index 5 at position [1] is out of range for axis 0 of shape [3, 2]"
    );
    assert_eq!(
        err(t.try_index_select(-1, &[2])),
        "index_select: index 2 at position [0] is out of range for axis 1 of shape [3, 2]"
    );
    assert_eq!(err(t.try_index_add(0, &[0, 4, 1], 4)), "index_add: index 4 at position [1] is out of range 0..4");
    assert_eq!(err(t.try_index_add(0, &[0, 1], 4)), "index_add: 2 indices for axis 0 of shape [3, 2]");
}

#[test]
fn index_shape_errors() {
    let x = Tensor::zeros(&[2, 3]);
    assert_eq!(
        err(x.try_gather(1, &Tensor::zeros(&[3, 1]))),
        "gather: index shape does not fit outside axis 1: lhs [2, 3], rhs [3, 1]"
    );
    assert_eq!(
        err(x.try_gather(0, &Tensor::zeros(&[2]))),
        "gather: index shape does not fit outside axis 0: lhs [2, 3], rhs [2]"
    );
    assert_eq!(
        err(x.try_scatter_add(0, &Tensor::zeros(&[2, 2]), &[2, 3])),
        "scatter_add: index and source shapes differ: lhs [2, 2], rhs [2, 3]"
    );
    assert_eq!(
        err(x.try_scatter_add(0, &Tensor::zeros(&[2, 3]), &[2, 2])),
        "scatter_add: index shape does not fit outside axis 0: lhs [2, 2], rhs [2, 3]"
    );
    assert_eq!(err(x.try_gather(2, &x)), "gather: axis 2 is out of range for a tensor of shape [2, 3]");
}

#[test]
fn panicking_forms_share_the_messages() {
    let r = std::panic::catch_unwind(|| t32(&[0.0, 4.0], &[2]).one_hot(3));
    let msg = r.unwrap_err();
    let msg = msg.downcast_ref::<String>().expect("a formatted message");
    assert_eq!(msg, &err(t32(&[0.0, 4.0], &[2]).try_one_hot(3)));
    let r = std::panic::catch_unwind(|| rows().index_select(0, &[3]));
    assert_eq!(r.unwrap_err().downcast_ref::<String>().unwrap(), &err(rows().try_index_select(0, &[3])));
}

#[test]
fn index_helpers() {
    assert_eq!(unravel(5, &[2, 3]), vec![1, 2]);
    assert_eq!(unravel(0, &[2, 3]), vec![0, 0]);
    assert_eq!(unravel(7, &[2, 2, 2]), vec![1, 1, 1]);
    assert_eq!(unravel(0, &[]), Vec::<usize>::new());
    assert_eq!(indices_in_range("op", &t32(&[0.0, 2.0, 1.0], &[3]), 3).unwrap(), vec![0, 2, 1]);
    assert_eq!(indices_in_range("op", &t64(&[1.0, 0.0], &[2]).reshape(&[2, 1]).t(), 2).unwrap(), vec![1, 0]);
    assert!(indices_in_range("op", &t32(&[3.0], &[1]), 3).is_err());
    assert!(indices_in_range("op", &Tensor::zeros(&[0]), 0).unwrap().is_empty());
    assert_close(&[indices_in_range("op", &t32(&[1e9], &[1]), 2_000_000_000).unwrap()[0] as f64], &[1e9], 0.0);
}

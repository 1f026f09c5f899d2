//! Shape operations: reshape, flatten, permute / transpose, slice, select, (un)squeeze,
//! broadcast_to, concat, stack, split, chunk, and the axis / broadcast helpers.

use crate::common;

use common::{t32, t64};
use kerosene_tensor::{DType, Tensor, broadcast_shapes, normalize_axes, normalize_axis};

/// [[1,2,3],[4,5,6]]
fn m23() -> Tensor {
    t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])
}

/// 0..24 in shape [2, 3, 4].
fn cube() -> Tensor {
    Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4])
}

#[test]
fn reshape_contiguous_is_a_view() {
    let t = m23();
    let r = t.reshape(&[3, 2]);
    assert_eq!(r.shape(), &[3, 2]);
    assert_eq!(r.to_vec::<f32>(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(r.view::<f32>().as_ptr(), t.view::<f32>().as_ptr(), "no copy");
    assert_eq!(t.reshape(&[-1]).shape(), &[6]);
    assert_eq!(t.reshape(&[3, -1]).shape(), &[3, 2]);
    assert_eq!(t.reshape(&[-1, 1, 2]).shape(), &[3, 1, 2]);
    assert_eq!(t.reshape_to(&[6, 1]).shape(), &[6, 1]);
    assert_eq!(t.reshape(&[1, 2, 1, 3, 1]).to_vec::<f32>(), t.to_vec::<f32>());
    assert_eq!(Tensor::scalar(5.0).reshape(&[1, 1]).to_vec::<f32>(), vec![5.0]);
    assert_eq!(t32(&[5.0], &[1, 1]).reshape(&[]).shape(), &[] as &[usize]);
}

#[test]
fn reshape_non_contiguous_copies_in_logical_order() {
    // [[1,2,3],[4,5,6]]^T = [[1,4],[2,5],[3,6]] -> flattened row-major [1,4,2,5,3,6]
    let tt = m23().t();
    let r = tt.reshape(&[2, 3]);
    assert_eq!(r.to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    assert!(r.is_contiguous());
    // Stepped slice: columns 0 and 2 of [[1,2,3],[4,5,6]] -> [[1,3],[4,6]]
    let s = m23().slice(1, 0, 3, 2);
    assert_eq!(s.reshape(&[4]).to_vec::<f32>(), vec![1.0, 3.0, 4.0, 6.0]);
    let p = cube().permute(&[2, 0, 1]);
    assert_eq!(p.reshape(&[-1]).to_vec::<f32>(), p.contiguous().to_vec::<f32>());
}

#[test]
fn reshape_size_zero() {
    let e = Tensor::zeros(&[0, 3]);
    assert_eq!(e.reshape(&[3, 0]).shape(), &[3, 0]);
    assert_eq!(e.reshape(&[-1, 3]).shape(), &[0, 3]);
    assert_eq!(e.reshape(&[2, 0, 5]).shape(), &[2, 0, 5]);
    assert!(e.try_reshape(&[0, -1]).is_err(), "ambiguous: -1 next to a 0");
    assert_eq!(e.flatten_all().shape(), &[0]);
}

#[test]
fn flatten() {
    let t = cube();
    assert_eq!(t.flatten_all().shape(), &[24]);
    assert_eq!(t.flatten_batch().shape(), &[2, 12]);
    assert_eq!(t.flatten_batch().at(&[1, 0]), 12.0);
    assert_eq!(t.t().flatten_batch().to_vec::<f32>(), t.t().contiguous().to_vec::<f32>());
    assert_eq!(t32(&[1.0, 2.0], &[2]).flatten_batch().shape(), &[2, 1]);
    assert_eq!(Tensor::zeros(&[0, 4, 5]).flatten_batch().shape(), &[0, 20]);
}

#[test]
fn permute_is_a_view_with_moved_axes() {
    let t = cube();
    let p = t.permute(&[2, 0, 1]);
    assert_eq!(p.shape(), &[4, 2, 3]);
    assert!(!p.is_contiguous());
    assert_eq!(p.view::<f32>().as_ptr(), t.view::<f32>().as_ptr());
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..4 {
                assert_eq!(p.at(&[k, i, j]), t.at(&[i, j, k]));
            }
        }
    }
    assert_eq!(t.permute(&[0, 1, 2]), t);
    assert_eq!(p.permute(&[1, 2, 0]), t, "inverse permutation");
    assert_eq!(Tensor::scalar(1.0).permute(&[]).item(), 1.0);
}

#[test]
fn transpose_and_t() {
    // [[1,2,3],[4,5,6]]^T = [[1,4],[2,5],[3,6]]
    let t = m23().t();
    assert_eq!((t.shape(), t.to_vec::<f32>()), (&[3usize, 2][..], vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]));
    assert_eq!(m23().transpose(0, 1), t);
    assert_eq!(m23().transpose(-1, -2), t);
    assert_eq!(m23().transpose(1, 1), m23());
    let c = cube().transpose(0, 2);
    assert_eq!(c.shape(), &[4, 3, 2]);
    assert_eq!(c.at(&[3, 1, 0]), cube().at(&[0, 1, 3]));
    assert_eq!(cube().t().shape(), &[2, 4, 3], "t swaps the last two axes");
    let v = t32(&[1.0, 2.0], &[2]);
    assert_eq!(v.t(), v);
    assert_eq!(Tensor::scalar(2.0).t().item(), 2.0);
    assert_eq!(t64(&[1.0, 2.0], &[1, 2]).t().shape(), &[2, 1]);
}

#[test]
fn slice_with_step_is_a_view() {
    let a = Tensor::arange(0.0, 10.0, 1.0);
    assert_eq!(a.slice(0, 1, 8, 3).to_vec::<f32>(), vec![1.0, 4.0, 7.0]);
    assert_eq!(a.slice(-1, 7, 100, 1).to_vec::<f32>(), vec![7.0, 8.0, 9.0], "end clamps");
    assert_eq!(a.slice(0, 10, 10, 1).shape(), &[0]);
    assert_eq!(a.slice(0, 4, 4, 2).shape(), &[0]);
    assert_eq!(a.slice(0, 0, 10, 20).to_vec::<f32>(), vec![0.0]);
    // [[1,2,3],[4,5,6]][:, ::2] = [[1,3],[4,6]]
    let s = m23().slice(1, 0, 3, 2);
    assert_eq!((s.shape(), s.to_vec::<f32>()), (&[2usize, 2][..], vec![1.0, 3.0, 4.0, 6.0]));
    assert!(!s.is_contiguous());
    // Slicing a slice and a transposed view.
    let ss = Tensor::arange(0.0, 20.0, 1.0).slice(0, 1, 20, 2).slice(0, 1, 10, 3);
    assert_eq!(ss.to_vec::<f32>(), vec![3.0, 9.0, 15.0]);
    assert_eq!(m23().t().slice(0, 1, 3, 1).to_vec::<f32>(), vec![2.0, 5.0, 3.0, 6.0]);
}

#[test]
fn slice_shares_storage() {
    let t = m23();
    let s = t.slice(0, 1, 2, 1);
    assert_eq!(s.view::<f32>().as_ptr(), t.view::<f32>().as_ptr().wrapping_add(3));
}

#[test]
fn select_removes_the_axis() {
    let t = m23();
    assert_eq!(t.select(0, 1).to_vec::<f32>(), vec![4.0, 5.0, 6.0]);
    assert_eq!(t.select(-1, 2).to_vec::<f32>(), vec![3.0, 6.0]);
    assert_eq!(t.select(1, 0).shape(), &[2]);
    assert_eq!(t32(&[7.0], &[1]).select(0, 0).shape(), &[] as &[usize]);
    assert_eq!(cube().permute(&[2, 0, 1]).select(0, 3).to_vec::<f32>(), vec![3.0, 7.0, 11.0, 15.0, 19.0, 23.0]);
}

#[test]
fn unsqueeze_and_squeeze() {
    let t = m23();
    assert_eq!(t.unsqueeze(0).shape(), &[1, 2, 3]);
    assert_eq!(t.unsqueeze(1).shape(), &[2, 1, 3]);
    assert_eq!(t.unsqueeze(2).shape(), &[2, 3, 1]);
    assert_eq!(t.unsqueeze(-1).shape(), &[2, 3, 1]);
    assert_eq!(t.unsqueeze(-3).shape(), &[1, 2, 3]);
    assert_eq!(Tensor::scalar(1.0).unsqueeze(0).shape(), &[1]);
    let u = t.unsqueeze(0).unsqueeze(-1);
    assert_eq!(u.squeeze(None).shape(), &[2, 3]);
    assert_eq!(u.squeeze(Some(0)).shape(), &[2, 3, 1]);
    assert_eq!(u.squeeze(Some(-1)).shape(), &[1, 2, 3]);
    assert_eq!(u.squeeze(None).to_vec::<f32>(), t.to_vec::<f32>());
    assert_eq!(t32(&[4.0], &[1, 1]).squeeze(None).shape(), &[] as &[usize]);
    assert_eq!(Tensor::zeros(&[0, 1]).squeeze(None).shape(), &[0]);
}

#[test]
fn squeeze_non_contiguous() {
    // [2,1,3] permuted to [3,1,2]: a strided view; squeezing must keep the logical order.
    let t = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 1, 3]);
    let p = t.permute(&[2, 1, 0]);
    assert!(!p.is_contiguous());
    let s = p.squeeze(None);
    assert_eq!((s.shape(), s.to_vec::<f32>()), (&[3usize, 2][..], vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]));
    assert_eq!(p.squeeze(Some(1)), s);
    // A stepped slice with a length-1 axis.
    let q = Tensor::arange(0.0, 12.0, 1.0).reshape(&[1, 12]).slice(1, 0, 12, 3);
    assert_eq!(q.squeeze(Some(0)).to_vec::<f32>(), vec![0.0, 3.0, 6.0, 9.0]);
    assert_eq!(m23().t().unsqueeze(1).squeeze(None), m23().t());
}

#[test]
fn broadcast_to_materializes() {
    // [1,2,3] -> [[1,2,3],[1,2,3]]
    let b = t32(&[1.0, 2.0, 3.0], &[3]).broadcast_to(&[2, 3]);
    assert_eq!((b.shape(), b.to_vec::<f32>()), (&[2usize, 3][..], vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]));
    // [[1],[2]] -> [[1,1,1],[2,2,2]]
    let c = t64(&[1.0, 2.0], &[2, 1]).broadcast_to(&[2, 3]);
    assert_eq!((c.dtype(), c.to_vec::<f64>()), (DType::F64, vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]));
    assert_eq!(Tensor::scalar(7.0).broadcast_to(&[2, 2]).to_vec::<f32>(), vec![7.0; 4]);
    assert_eq!(t32(&[1.0, 2.0, 3.0], &[3]).broadcast_to(&[0, 3]).shape(), &[0, 3]);
    assert_eq!(m23().t().broadcast_to(&[2, 3, 2]).select(0, 1), m23().t());
    assert_eq!(m23().broadcast_to(&[2, 3]), m23());
}

#[test]
fn concat_along_axes() {
    let a = m23();
    let b = t32(&[7.0, 8.0, 9.0], &[1, 3]);
    let c = Tensor::concat(&[&a, &b], 0);
    assert_eq!((c.shape(), c.to_vec::<f32>()), (&[3usize, 3][..], vec![1., 2., 3., 4., 5., 6., 7., 8., 9.]));
    // [[1,2,3],[4,5,6]] ++ [[0],[-1]] on axis 1 = [[1,2,3,0],[4,5,6,-1]]
    let d = Tensor::concat(&[&a, &t32(&[0.0, -1.0], &[2, 1])], -1);
    assert_eq!(d.to_vec::<f32>(), vec![1.0, 2.0, 3.0, 0.0, 4.0, 5.0, 6.0, -1.0]);
    // Non-contiguous inputs: a^T is [[1,4],[2,5],[3,6]].
    let e = Tensor::concat(&[&a.t(), &a.slice(1, 0, 3, 2).t()], 0);
    assert_eq!(e.to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0, 1.0, 4.0, 3.0, 6.0]);
    // Empty parts and a single part.
    let z = Tensor::zeros(&[0, 3]);
    assert_eq!(Tensor::concat(&[&z, &a, &z], 0), a);
    assert_eq!(Tensor::concat(&[&a], 1), a);
    let f = Tensor::concat(&[&t64(&[1.0], &[1]), &t64(&[2.0], &[1])], 0);
    assert_eq!((f.dtype(), f.to_vec::<f64>()), (DType::F64, vec![1.0, 2.0]));
}

#[test]
fn stack_adds_an_axis() {
    let a = t32(&[1.0, 2.0], &[2]);
    let b = t32(&[3.0, 4.0], &[2]);
    let s0 = Tensor::stack(&[&a, &b], 0);
    assert_eq!((s0.shape(), s0.to_vec::<f32>()), (&[2usize, 2][..], vec![1.0, 2.0, 3.0, 4.0]));
    let s1 = Tensor::stack(&[&a, &b], 1);
    assert_eq!((s1.shape(), s1.to_vec::<f32>()), (&[2usize, 2][..], vec![1.0, 3.0, 2.0, 4.0]));
    assert_eq!(Tensor::stack(&[&a, &b], -1), s1);
    assert_eq!(Tensor::stack(&[&a, &b, &a], -2).shape(), &[3, 2]);
    let sc = Tensor::stack(&[&Tensor::scalar(1.0), &Tensor::scalar(2.0)], 0);
    assert_eq!(sc.to_vec::<f32>(), vec![1.0, 2.0]);
    assert_eq!(Tensor::stack(&[&m23().t(), &m23().t()], 0).select(0, 1), m23().t());
}

#[test]
fn split_and_chunk() {
    let t = Tensor::arange(0.0, 10.0, 1.0).reshape(&[2, 5]);
    let parts = t.split(&[2, 0, 3], 1);
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].to_vec::<f32>(), vec![0.0, 1.0, 5.0, 6.0]);
    assert_eq!(parts[1].shape(), &[2, 0]);
    assert_eq!(parts[2].to_vec::<f32>(), vec![2.0, 3.0, 4.0, 7.0, 8.0, 9.0]);
    assert_eq!(Tensor::concat(&parts.iter().collect::<Vec<_>>(), 1), t);
    let ch = t.chunk(2, 0);
    assert_eq!(ch[1].to_vec::<f32>(), vec![5.0, 6.0, 7.0, 8.0, 9.0]);
    let ct = t.t().chunk(5, 0);
    assert_eq!(ct[4].to_vec::<f32>(), vec![4.0, 9.0]);
    assert_eq!(t.chunk(1, -1)[0], t);
}

#[test]
fn broadcast_shape_rules() {
    assert_eq!(broadcast_shapes("add", &[2, 3], &[3]).unwrap(), vec![2, 3]);
    assert_eq!(broadcast_shapes("add", &[2, 1], &[1, 3]).unwrap(), vec![2, 3]);
    assert_eq!(broadcast_shapes("add", &[4, 1, 3], &[2, 3]).unwrap(), vec![4, 2, 3]);
    assert_eq!(broadcast_shapes("add", &[], &[2, 3]).unwrap(), vec![2, 3]);
    assert_eq!(broadcast_shapes("add", &[0, 3], &[1, 3]).unwrap(), vec![0, 3]);
    assert_eq!(broadcast_shapes("add", &[0], &[1]).unwrap(), vec![0]);
    assert_eq!(broadcast_shapes("add", &[], &[]).unwrap(), Vec::<usize>::new());
    assert!(broadcast_shapes("add", &[0], &[2]).is_err());
    assert!(broadcast_shapes("add", &[2, 3], &[3, 2]).is_err());
}

#[test]
fn axis_normalization() {
    assert_eq!(normalize_axis("op", -1, &[2, 3]).unwrap(), 1);
    assert_eq!(normalize_axis("op", -2, &[2, 3]).unwrap(), 0);
    assert_eq!(normalize_axis("op", 1, &[2, 3]).unwrap(), 1);
    assert!(normalize_axis("op", 2, &[2, 3]).is_err());
    assert!(normalize_axis("op", -3, &[2, 3]).is_err());
    assert!(normalize_axis("op", 0, &[]).is_err());
    assert_eq!(normalize_axes("op", &[-1, 0], &[2, 3, 4]).unwrap(), vec![0, 2]);
    assert_eq!(normalize_axes("op", &[], &[2]).unwrap(), Vec::<usize>::new());
    assert!(normalize_axes("op", &[1, -2], &[2, 3, 4]).is_err(), "1 and -2 are the same axis");
}

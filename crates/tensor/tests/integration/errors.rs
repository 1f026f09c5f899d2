//! Error messages: the exact text of each failure, the error variant and `op()`, and that the
//! panicking form panics with the same message as its `try_` twin returns.

use std::fmt::Debug;
use std::panic::{UnwindSafe, catch_unwind};

use kerosene_tensor::{DType, Result, Tensor, TensorError};

/// The message of the panic raised by `f`.
fn panic_message<R>(f: impl FnOnce() -> R + UnwindSafe) -> String {
    let payload = catch_unwind(f).err().expect("expected a panic");
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else {
        panic!("panic payload is not a string")
    }
}

/// Asserts that the `try_` form fails with `want` and the panicking form panics with the same text.
#[track_caller]
fn same_message<T: Debug, R>(tried: Result<T>, panicking: impl FnOnce() -> R + UnwindSafe, want: &str) -> TensorError {
    let err = tried.expect_err("the try_ form should fail");
    assert_eq!(err.to_string(), want);
    assert_eq!(panic_message(panicking), want);
    err
}

fn z(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape)
}

#[test]
fn matmul_messages() {
    let (a, b) = (z(&[32, 784]), z(&[128, 10]));
    let want = "matmul: inner dimensions differ: lhs [32, 784], rhs [128, 10] (784 != 128)";
    let e = same_message(a.try_matmul(&b), || a.matmul(&b), want);
    assert_eq!(e.op(), "matmul");
    assert!(matches!(&e, TensorError::Shapes { op: "matmul", detail, .. } if detail == " (784 != 128)"));
    let (v, w) = (z(&[3]), z(&[4]));
    same_message(v.try_matmul(&w), || v.matmul(&w), "matmul: inner dimensions differ: lhs [3], rhs [4] (3 != 4)");
    let (a, b) = (z(&[2, 3, 4]), z(&[5, 4, 2]));
    same_message(
        a.try_matmul(&b),
        || a.matmul(&b),
        "matmul: batch dimensions do not broadcast: lhs [2, 3, 4], rhs [5, 4, 2]",
    );
    let (s, m) = (Tensor::scalar(1.0), z(&[2]));
    same_message(s.try_matmul(&m), || s.matmul(&m), "matmul: operands must have at least one axis: lhs [], rhs [2]");
    let (f, d) = (z(&[2, 2]), Tensor::zeros_dtype(&[2, 2], DType::F64));
    let e = same_message(f.try_matmul(&d), || f.matmul(&d), "matmul: element types differ: lhs f32, rhs f64");
    assert!(matches!(e, TensorError::DType { op: "matmul", lhs: DType::F32, rhs: DType::F64 }));
}

#[test]
fn broadcast_messages() {
    let (a, b) = (z(&[2, 3]), z(&[4]));
    let e = same_message(
        a.try_add(&b),
        || a.add(&b),
        "add: shapes cannot be broadcast together: lhs [2, 3], rhs [4] (axis 1: 3 vs 4)",
    );
    assert!(matches!(e, TensorError::Shapes { op: "add", .. }));
    assert_eq!(panic_message(|| &a + &b), e.to_string(), "the operator panics with the same message");
    let c = z(&[3, 2]);
    same_message(
        a.try_mul(&c),
        || a.mul(&c),
        "mul: shapes cannot be broadcast together: lhs [2, 3], rhs [3, 2] (axis 0: 2 vs 3)",
    );
    // The axis is counted in the broadcast result.
    let (x, y) = (z(&[4, 1, 3]), z(&[2, 4]));
    same_message(
        x.try_sub(&y),
        || x.sub(&y),
        "sub: shapes cannot be broadcast together: lhs [4, 1, 3], rhs [2, 4] (axis 2: 3 vs 4)",
    );
    for (name, r) in [
        ("div", a.try_div(&b)),
        ("pow", a.try_pow(&b)),
        ("maximum", a.try_maximum(&b)),
        ("minimum", a.try_minimum(&b)),
        ("eq_elem", a.try_eq_elem(&b)),
        ("ne_elem", a.try_ne_elem(&b)),
        ("lt", a.try_lt(&b)),
        ("le", a.try_le(&b)),
        ("gt", a.try_gt(&b)),
        ("ge", a.try_ge(&b)),
    ] {
        let msg = r.unwrap_err().to_string();
        assert_eq!(msg, format!("{name}: shapes cannot be broadcast together: lhs [2, 3], rhs [4] (axis 1: 3 vs 4)"));
    }
    let t = z(&[3]);
    same_message(
        t.try_broadcast_to(&[4]),
        || t.broadcast_to(&[4]),
        "broadcast_to: shapes cannot be broadcast together: lhs [3], rhs [4] (axis 0: 3 vs 4)",
    );
    same_message(
        a.try_broadcast_to(&[3]),
        || a.broadcast_to(&[3]),
        "broadcast_to: cannot broadcast: lhs [2, 3], rhs [3]",
    );
    same_message(
        Tensor::try_where_cond(&z(&[2]), &a, &a),
        || Tensor::where_cond(&z(&[2]), &a, &a),
        "where: shapes cannot be broadcast together: lhs [2], rhs [2, 3] (axis 1: 2 vs 3)",
    );
}

#[test]
fn reshape_messages() {
    let t = z(&[2, 3]);
    let e = same_message(
        t.try_reshape(&[4, 2]),
        || t.reshape(&[4, 2]),
        "reshape: cannot reshape [2, 3] (6 elements) into [4, 2] (8 elements)",
    );
    assert!(matches!(e, TensorError::Invalid { op: "reshape", .. }));
    same_message(
        t.try_reshape(&[4, -1]),
        || t.reshape(&[4, -1]),
        "reshape: cannot reshape [2, 3] (6 elements) into [4, -1] (a multiple of 4)",
    );
    assert_eq!(
        panic_message(|| t.reshape_to(&[5])),
        "reshape: cannot reshape [2, 3] (6 elements) into [5] (5 elements)"
    );
    assert!(t.try_reshape(&[-1, -1]).is_err());
    assert!(t.try_reshape(&[-2, -3]).is_err());
    let e = z(&[0, 3]);
    same_message(
        e.try_reshape(&[0, -1]),
        || e.reshape(&[0, -1]),
        "reshape: cannot reshape [0, 3] (0 elements) into [0, -1] (a multiple of 0)",
    );
}

#[test]
fn axis_messages() {
    let t = z(&[2, 3]);
    let e = same_message(
        t.try_sum(&[2], false),
        || t.sum(&[2], false),
        "sum: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    assert!(matches!(e, TensorError::Axis { op: "sum", axis: 2, .. }));
    same_message(
        t.try_mean(&[-3], true),
        || t.mean(&[-3], true),
        "mean: axis -3 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_max(&[5], false),
        || t.max(&[5], false),
        "max: axis 5 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_min(&[2], false),
        || t.min(&[2], false),
        "min: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_var(&[2], 0, false),
        || t.var(&[2], false),
        "var: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_transpose(0, 2),
        || t.transpose(0, 2),
        "transpose: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_slice(-3, 0, 1, 1),
        || t.slice(-3, 0, 1, 1),
        "slice: axis -3 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_split(&[1], 2),
        || t.split(&[1], 2),
        "split: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        t.try_index_select(2, &[0]),
        || t.index_select(2, &[0]),
        "index_select: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        Tensor::try_concat(&[&t, &t], 2),
        || Tensor::concat(&[&t, &t], 2),
        "concat: axis 2 is out of range for a tensor of shape [2, 3]",
    );
    same_message(
        Tensor::try_stack(&[&t, &t], 3),
        || Tensor::stack(&[&t, &t], 3),
        "stack: axis 3 is out of range for a tensor of shape [2, 3]",
    );
    same_message(t.try_sum(&[1, -1], false), || t.sum(&[1, -1], false), "sum: axis 1 is repeated in [1, -1]");
    // Operations without a try_ twin panic with the same kind of message.
    assert_eq!(panic_message(|| t.softmax(2)), "softmax: axis 2 is out of range for a tensor of shape [2, 3]");
    assert_eq!(
        panic_message(|| t.log_softmax(-3)),
        "log_softmax: axis -3 is out of range for a tensor of shape [2, 3]"
    );
    assert_eq!(
        panic_message(|| t.logsumexp(2, false)),
        "logsumexp: axis 2 is out of range for a tensor of shape [2, 3]"
    );
    assert_eq!(panic_message(|| t.argmax(2, false)), "argmax: axis 2 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.argmin(-3, false)), "argmin: axis -3 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.dim(2)), "dim: axis 2 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.select(2, 0)), "select: axis 2 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.chunk(1, 2)), "chunk: axis 2 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.squeeze(Some(2))), "squeeze: axis 2 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.unsqueeze(3)), "unsqueeze: axis 3 is out of range for a tensor of shape [2, 3]");
    assert_eq!(panic_message(|| t.unsqueeze(-4)), "unsqueeze: axis -4 is out of range for a tensor of shape [2, 3]");
    assert_eq!(
        panic_message(|| Tensor::scalar(1.0).softmax(0)),
        "softmax: axis 0 is out of range for a tensor of shape []"
    );
}

#[test]
fn dtype_messages() {
    let (f, d) = (z(&[2]), Tensor::zeros_dtype(&[2], DType::F64));
    let e = same_message(f.try_add(&d), || f.add(&d), "add: element types differ: lhs f32, rhs f64");
    assert_eq!(e.op(), "add");
    same_message(d.try_sub(&f), || d.sub(&f), "sub: element types differ: lhs f64, rhs f32");
    same_message(
        Tensor::try_concat(&[&f, &d], 0),
        || Tensor::concat(&[&f, &d], 0),
        "concat: element types differ: lhs f32, rhs f64",
    );
    same_message(
        Tensor::try_stack(&[&f, &d], 0),
        || Tensor::stack(&[&f, &d], 0),
        "concat: element types differ: lhs f32, rhs f64",
    );
    same_message(
        Tensor::try_where_cond(&f, &f, &d),
        || Tensor::where_cond(&f, &f, &d),
        "where: element types differ: lhs f32, rhs f64",
    );
    let mut x = d.clone();
    let err = x.try_add_assign_scaled(&f, 1.0).unwrap_err();
    assert_eq!(err.to_string(), "add_assign: element types differ: lhs f64, rhs f32");
    assert_eq!(panic_message(move || x.add_assign_scaled(&f, 1.0)), err.to_string());
    assert_eq!(panic_message(|| d.view::<f32>()), "view: tensor holds f64, asked for f32");
}

#[test]
fn concat_and_stack_messages() {
    let (a, b) = (z(&[2, 3]), z(&[2, 4]));
    let e = same_message(
        Tensor::try_concat(&[&a, &b], 0),
        || Tensor::concat(&[&a, &b], 0),
        "concat: shapes differ outside axis 0: lhs [2, 3], rhs [2, 4]",
    );
    assert!(matches!(e, TensorError::Shapes { op: "concat", .. }));
    let c = z(&[2, 3, 1]);
    same_message(
        Tensor::try_concat(&[&a, &c], -1),
        || Tensor::concat(&[&a, &c], -1),
        "concat: shapes differ outside axis 1: lhs [2, 3], rhs [2, 3, 1]",
    );
    same_message(Tensor::try_concat(&[], 0), || Tensor::concat(&[], 0), "concat: needs at least one tensor");
    same_message(Tensor::try_stack(&[], 0), || Tensor::stack(&[], 0), "stack: needs at least one tensor");
    let (u, v) = (z(&[2]), z(&[3]));
    same_message(
        Tensor::try_stack(&[&u, &v], 0),
        || Tensor::stack(&[&u, &v], 0),
        "stack: all tensors must have the same shape: lhs [2], rhs [3]",
    );
    let t = z(&[3]);
    same_message(
        t.try_split(&[1, 1], 0),
        || t.split(&[1, 1], 0),
        "split: sizes [1, 1] add up to 2, but axis 0 of shape [3] has length 3",
    );
    assert_eq!(
        panic_message(|| z(&[5]).chunk(2, 0)),
        "chunk: axis 0 of shape [5] (length 5) cannot be split into 2 equal pieces"
    );
    assert_eq!(
        panic_message(|| z(&[4]).chunk(0, 0)),
        "chunk: axis 0 of shape [4] (length 4) cannot be split into 0 equal pieces"
    );
}

#[test]
fn constructor_and_accessor_messages() {
    let e = same_message(
        Tensor::try_from_vec(vec![1.0f32; 5], &[2, 3]),
        || Tensor::from_vec(vec![1.0f32; 5], &[2, 3]),
        "from_vec: 5 values cannot fill shape [2, 3] (6 elements)",
    );
    assert!(matches!(e, TensorError::Invalid { op: "from_vec", .. }));
    same_message(
        Tensor::try_from_vec(Vec::<f64>::new(), &[]),
        || Tensor::from_vec(Vec::<f64>::new(), &[]),
        "from_vec: 0 values cannot fill shape [] (1 elements)",
    );
    same_message(
        Tensor::try_from_vec(Vec::<f32>::new(), &[usize::MAX, 3]),
        || Tensor::from_vec(Vec::<f32>::new(), &[usize::MAX, 3]),
        "from_vec: shape [18446744073709551615, 3] is too large for an array",
    );
    let t = z(&[2]);
    same_message(t.try_item(), || t.item(), "item: expected a tensor with one element, got shape [2]");
    assert_eq!(panic_message(|| z(&[2, 3]).at(&[2, 0])), "at: index [2, 0] is out of bounds for shape [2, 3]");
    assert_eq!(panic_message(|| z(&[2, 3]).at(&[0])), "at: index [0] is out of bounds for shape [2, 3]");
    assert_eq!(panic_message(|| Tensor::arange(0.0, 1.0, 0.0)), "arange: step must be finite and non-zero, got 0");
    assert_eq!(
        panic_message(|| Tensor::arange(0.0, 1.0, f64::NAN)),
        "arange: step must be finite and non-zero, got NaN"
    );
}

#[test]
fn layout_messages() {
    let t = z(&[2, 3]);
    same_message(
        t.try_permute(&[0, 0]),
        || t.permute(&[0, 0]),
        "permute: [0, 0] is not a permutation of the axes of a tensor of shape [2, 3]",
    );
    same_message(
        t.try_permute(&[0, 1, 2]),
        || t.permute(&[0, 1, 2]),
        "permute: [0, 1, 2] is not a permutation of the axes of a tensor of shape [2, 3]",
    );
    let v = z(&[3]);
    same_message(
        v.try_slice(0, 0, 3, 0),
        || v.slice(0, 0, 3, 0),
        "slice: invalid range 0..3 step 0 on axis 0 of shape [3]",
    );
    same_message(
        v.try_slice(0, 5, 10, 1),
        || v.slice(0, 5, 10, 1),
        "slice: invalid range 5..3 step 1 on axis 0 of shape [3]",
    );
    assert_eq!(panic_message(|| v.select(0, 3)), "select: index 3 is out of range for axis 0 of shape [3]");
    assert_eq!(panic_message(|| z(&[2, 1]).squeeze(Some(0))), "squeeze: axis 0 of shape [2, 1] has length 2, not 1");
    assert_eq!(
        panic_message(|| Tensor::scalar(1.0).flatten_batch()),
        "flatten_batch: needs at least one axis, got a scalar"
    );
}

#[test]
fn reduction_messages() {
    let g = z(&[2, 3]);
    same_message(
        g.try_sum_to_shape(&[4]),
        || g.sum_to_shape(&[4]),
        "sum_to_shape: shapes cannot be broadcast together: lhs [4], rhs [2, 3] (axis 1: 4 vs 3)",
    );
    let s = z(&[3]);
    same_message(
        s.try_sum_to_shape(&[2, 3]),
        || s.sum_to_shape(&[2, 3]),
        "sum_to_shape: target does not broadcast to the source: lhs [3], rhs [2, 3]",
    );
    assert_eq!(panic_message(|| z(&[2, 0]).argmax(1, false)), "argmax: axis 1 of shape [2, 0] is empty");
    assert_eq!(panic_message(|| z(&[0]).argmin(0, true)), "argmin: axis 0 of shape [0] is empty");
    assert_eq!(panic_message(|| z(&[2]).clamp(1.0, 0.0)), "clamp: lower bound 1 is above upper bound 0");
}

#[test]
fn add_assign_messages() {
    let mut x = z(&[3]);
    let big = z(&[2, 3]);
    let err = x.try_add_assign_scaled(&big, 1.0).unwrap_err();
    assert_eq!(err.to_string(), "add_assign: cannot broadcast rhs into lhs: lhs [3], rhs [2, 3]");
    assert_eq!(panic_message(move || x.add_assign_scaled(&big, 1.0)), err.to_string());
    let mut y = z(&[3]);
    let four = z(&[4]);
    assert_eq!(
        y.try_add_assign_scaled(&four, 1.0).unwrap_err().to_string(),
        "add_assign: shapes cannot be broadcast together: lhs [3], rhs [4] (axis 0: 3 vs 4)"
    );
}

#[test]
fn error_values() {
    let e = z(&[2, 3]).try_reshape(&[7]).unwrap_err();
    assert_eq!(e.clone(), e);
    assert_eq!(e.op(), "reshape");
    assert_eq!(format!("{:?}", kerosene_tensor::Shape(vec![32, 784])), "[32, 784]");
    assert_eq!(kerosene_tensor::Shape::from(&[1usize, 2][..]).to_string(), "[1, 2]");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("reshape: "));
}

#[test]
#[should_panic(expected = "matmul: inner dimensions differ: lhs [32, 784], rhs [128, 10] (784 != 128)")]
fn matmul_panics_with_the_message() {
    let _ = z(&[32, 784]).matmul(&z(&[128, 10]));
}

#[test]
#[should_panic(expected = "gemm: shapes do not fit: a [2, 3], b [2, 2], c [2, 2]")]
fn gemm_panics_on_mismatched_shapes() {
    use kerosene_tensor::ndarray::Array2;
    let (a, b) = (Array2::<f32>::zeros((2, 3)), Array2::<f32>::zeros((2, 2)));
    let mut c = Array2::<f32>::zeros((2, 2));
    kerosene_tensor::gemm::gemm(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
}

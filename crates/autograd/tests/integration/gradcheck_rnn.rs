//! The fused recurrent ops (`lstm_sequence`, `gru_sequence`, `simple_rnn_sequence`): gradcheck
//! in f64 with and without initial states, masks, reversed direction and other activations;
//! the fused LSTM and GRU against the same recurrences composed step by step from primitive ops;
//! a tiny LSTM worked out by hand; the batch split across threads; edge cases and errors.

use kerosene_autograd::{FusedActivation, RnnConfig, RnnParams, Tolerances, Var, gradcheck, no_grad};
use kerosene_tensor::{Rng, Tensor};

fn sym(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_uniform(shape, -1.0, 1.0, &mut Rng::new(seed)).to_f64()
}

/// The sequence if the op made it, else the last state.
fn main_output(s: kerosene_autograd::RecurrentSequence) -> Var {
    s.outputs.unwrap_or(s.last_h)
}

#[track_caller]
fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) {
    if let Err(e) = gradcheck(f, inputs, Tolerances::default()) {
        panic!("{e}");
    }
}

/// `[N, T]` mask with some padded steps (trailing in row 0, leading and inner in row 1).
fn mask_2x4() -> Tensor {
    Tensor::from_vec(vec![1.0f64, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0], &[2, 4])
}

fn configs() -> Vec<RnnConfig> {
    let d = RnnConfig::default();
    vec![
        d,
        d.reversed(true),
        // Only the final states (no per-step outputs).
        RnnConfig {
            activation: FusedActivation::Sigmoid,
            recurrent_activation: FusedActivation::Tanh,
            reverse: false,
            return_sequences: false,
        },
        RnnConfig {
            activation: FusedActivation::Identity,
            recurrent_activation: FusedActivation::Sigmoid,
            reverse: true,
            return_sequences: true,
        },
    ]
}

#[test]
fn lstm_gradcheck_all_inputs_masks_directions_activations() {
    let (n, t, u) = (2, 4, 3);
    let inputs = [sym(&[n, t, 4 * u], 1), sym(&[u, 4 * u], 2), sym(&[n, u], 3), sym(&[n, u], 4)];
    for cfg in configs() {
        for mask in [None, Some(mask_2x4())] {
            // Every output (sequence, last h, last c) through the packed result.
            check(|v| v[0].lstm_sequence(&v[1], Some(&v[2]), Some(&v[3]), mask.as_ref(), cfg).packed, &inputs);
            // Without initial states (zeros), through the sequence only.
            check(|v| main_output(v[0].lstm_sequence(&v[1], None, None, mask.as_ref(), cfg)), &inputs[..2]);
        }
    }
    // Only the last cell state, and only the initial states.
    check(
        |v| v[0].lstm_sequence(&v[1], None, Some(&v[2]), None, RnnConfig::default()).last_c.unwrap(),
        &[inputs[0].clone(), inputs[1].clone(), inputs[3].clone()],
    );
    let (xp, r) = (Var::new(inputs[0].clone()), Var::new(inputs[1].clone()));
    check(|v| xp.lstm_sequence(&r, Some(&v[0]), Some(&v[1]), None, RnnConfig::default()).last_h, &inputs[2..]);
}

#[test]
fn gru_gradcheck_all_inputs_masks_directions_activations() {
    let (n, t, u) = (2, 4, 3);
    let inputs = [sym(&[n, t, 3 * u], 5), sym(&[u, 3 * u], 6), sym(&[3 * u], 7), sym(&[n, u], 8)];
    for cfg in configs() {
        for mask in [None, Some(mask_2x4())] {
            check(|v| v[0].gru_sequence(&v[1], Some(&v[2]), Some(&v[3]), mask.as_ref(), cfg).packed, &inputs);
            check(|v| v[0].gru_sequence(&v[1], None, None, mask.as_ref(), cfg).last_h, &inputs[..2]);
        }
    }
}

#[test]
fn simple_rnn_gradcheck_all_inputs_masks_directions_activations() {
    let (n, t, u) = (2, 4, 3);
    let inputs = [sym(&[n, t, u], 9), sym(&[u, u], 10), sym(&[n, u], 11)];
    for act in [FusedActivation::Tanh, FusedActivation::Sigmoid, FusedActivation::Identity] {
        for reverse in [false, true] {
            let cfg = RnnConfig {
                activation: act,
                recurrent_activation: FusedActivation::Sigmoid,
                reverse,
                return_sequences: !reverse,
            };
            for mask in [None, Some(mask_2x4())] {
                check(|v| v[0].simple_rnn_sequence(&v[1], Some(&v[2]), mask.as_ref(), cfg).packed, &inputs);
                check(|v| v[0].simple_rnn_sequence(&v[1], None, mask.as_ref(), cfg).last_h, &inputs[..2]);
            }
        }
    }
}

/// The ops that project their input themselves: every weight, both biases, the input and the
/// initial states, with masks, both directions and other activations.
#[test]
fn self_projecting_ops_gradcheck() {
    let (n, t, f, u) = (2, 4, 3, 2);
    for (gates, which) in [(4, "lstm"), (3, "gru"), (1, "simple_rnn")] {
        let gu = gates * u;
        let inputs = [
            sym(&[n, t, f], 80),
            sym(&[f, gu], 81),
            sym(&[u, gu], 82),
            sym(&[gu], 83),
            sym(&[gu], 84),
            sym(&[n, u], 85),
            sym(&[n, u], 86),
        ];
        for cfg in configs() {
            for mask in [None, Some(mask_2x4())] {
                check(
                    |v| {
                        let p = RnnParams::new(&v[1], &v[2]).bias(Some(&v[3])).recurrent_bias(Some(&v[4]));
                        match which {
                            "lstm" => v[0].lstm(p, Some(&v[5]), Some(&v[6]), mask.as_ref(), cfg).packed,
                            "gru" => v[0].gru(p, Some(&v[5]), mask.as_ref(), cfg).packed,
                            _ => v[0].simple_rnn(p, Some(&v[5]), mask.as_ref(), cfg).packed,
                        }
                        .mul(&v[6].sum_all()) // keep every input used
                    },
                    &inputs,
                );
            }
        }
        // Without biases or states.
        check(
            |v| {
                let p = RnnParams::new(&v[1], &v[2]);
                match which {
                    "lstm" => v[0].lstm(p, None, None, None, RnnConfig::default()).outputs.unwrap(),
                    "gru" => v[0].gru(p, None, None, RnnConfig::default()).outputs.unwrap(),
                    _ => v[0].simple_rnn(p, None, None, RnnConfig::default()).outputs.unwrap(),
                }
            },
            &inputs[..3],
        );
    }
}

/// `x.lstm(K, R, b, b_rec)` is `x.dense(K, b + b_rec)` followed by `lstm_sequence(R)`, in value
/// and gradient; the same for the GRU (whose recurrent bias stays inside the reset gate).
#[test]
fn self_projecting_ops_equal_dense_then_sequence() {
    let (n, t, f, u) = (3, 4, 5, 2);
    let x = Var::param(sym(&[n, t, f], 90));
    for gates in [4, 3, 1] {
        let gu = gates * u;
        let (k, r) = (Var::param(sym(&[f, gu], 91)), Var::param(sym(&[u, gu], 92)));
        let (b, rb) = (Var::param(sym(&[gu], 93)), Var::param(sym(&[gu], 94)));
        let h0 = Var::param(sym(&[n, u], 95));
        let all = [x.clone(), k.clone(), r.clone(), b.clone(), rb.clone(), h0.clone()];
        let mask = Tensor::from_vec(vec![1.0f64, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0], &[3, 4]);
        let cfg = RnnConfig::default().reversed(gates == 3);
        let p = RnnParams::new(&k, &r).bias(Some(&b)).recurrent_bias(Some(&rb));
        let fused = match gates {
            4 => x.lstm(p, Some(&h0), None, Some(&mask), cfg),
            3 => x.gru(p, Some(&h0), Some(&mask), cfg),
            _ => x.simple_rnn(p, Some(&h0), Some(&mask), cfg),
        };
        let seed = sym(fused.packed.shape(), 96);
        fused.packed.backward_with(&seed, false).unwrap();
        let gf = grads(&all);
        let composed = match gates {
            4 => x.dense(&k, Some(&b.add(&rb)), FusedActivation::Identity).lstm_sequence(
                &r,
                Some(&h0),
                None,
                Some(&mask),
                cfg,
            ),
            3 => x.dense(&k, Some(&b), FusedActivation::Identity).gru_sequence(
                &r,
                Some(&rb),
                Some(&h0),
                Some(&mask),
                cfg,
            ),
            _ => x.dense(&k, Some(&b.add(&rb)), FusedActivation::Identity).simple_rnn_sequence(
                &r,
                Some(&h0),
                Some(&mask),
                cfg,
            ),
        };
        assert!(fused.packed.value().allclose(&composed.packed.value(), 1e-12, 1e-12), "{gates} gates");
        composed.packed.backward_with(&seed, false).unwrap();
        for (i, (a, b)) in gf.iter().zip(grads(&all)).enumerate() {
            assert!(a.allclose(&b, 1e-10, 1e-12), "{gates} gates, input {i}: {a:?} vs {b:?}");
        }
    }
}

/// Recycled work buffers never leak stale values: the same call repeated (after other calls
/// of other sizes) gives bit-identical values and gradients.
#[test]
fn recycled_buffers_give_identical_results() {
    let run = |n: usize, t: usize, seed: u64| {
        let x = Var::param(Tensor::randn(&[n, t, 3], &mut Rng::new(seed)));
        let k = Var::param(Tensor::randn(&[3, 16], &mut Rng::new(seed + 1)));
        let r = Var::param(Tensor::randn(&[4, 16], &mut Rng::new(seed + 2)));
        let mask = Tensor::from_fn(&[n, t], |i| ((i[0] + i[1]) % 3 != 0) as u8 as f64);
        let s = x.lstm(RnnParams::new(&k, &r), None, None, Some(&mask), RnnConfig::default());
        s.outputs.as_ref().unwrap().sum_all().backward();
        (s.packed.value(), x.grad().unwrap(), k.grad().unwrap(), r.grad().unwrap())
    };
    let first = run(5, 7, 1);
    for (n, t) in [(9, 3), (2, 11), (5, 7), (30, 2)] {
        run(n, t, 100 + n as u64);
    }
    assert!(first == run(5, 7, 1));
}

/// The LSTM composed from primitive ops, one step at a time, with Keras' masking.
fn lstm_composed(xp: &Var, r: &Var, h0: &Var, c0: &Var, mask: Option<&Tensor>) -> (Vec<Var>, Var) {
    let (t, u) = (xp.shape()[1], r.shape()[0]);
    let (mut h, mut c) = (h0.clone(), c0.clone());
    let mut outs = Vec::new();
    for s in 0..t {
        let z = xp.select(1, s).add(&h.matmul(r));
        let gate = |k: usize| z.slice(1, k * u, (k + 1) * u, 1);
        let (i, f, g, o) = (gate(0).sigmoid(), gate(1).sigmoid(), gate(2).tanh(), gate(3).sigmoid());
        let c_new = f.mul(&c).add(&i.mul(&g));
        let h_new = o.mul(&c_new.tanh());
        match mask {
            None => (h, c) = (h_new, c_new),
            Some(m) => {
                let keep = Var::new(m.select(1, s).unsqueeze(1));
                let drop = Var::new(m.select(1, s).unsqueeze(1).rsub_scalar(1.0));
                h = h_new.mul(&keep).add(&h.mul(&drop));
                c = c_new.mul(&keep).add(&c.mul(&drop));
            }
        }
        outs.push(h.clone());
    }
    (outs, c)
}

fn grads(vars: &[Var]) -> Vec<Tensor> {
    vars.iter().map(|v| v.take_grad().expect("a gradient")).collect()
}

#[test]
fn fused_lstm_equals_step_by_step_primitives_in_value_and_gradient() {
    let (n, t, u) = (2, 4, 3);
    for mask in [None, Some(mask_2x4())] {
        let xp = Var::param(sym(&[n, t, 4 * u], 20));
        let r = Var::param(sym(&[u, 4 * u], 21));
        let h0 = Var::param(sym(&[n, u], 22));
        let c0 = Var::param(sym(&[n, u], 23));
        let all = [xp.clone(), r.clone(), h0.clone(), c0.clone()];
        let seed_seq = sym(&[n, t, u], 24);
        let seed_c = sym(&[n, u], 25);

        let fused = xp.lstm_sequence(&r, Some(&h0), Some(&c0), mask.as_ref(), RnnConfig::default());
        let loss_f = fused
            .outputs
            .clone()
            .unwrap()
            .mul(&Var::new(seed_seq.clone()))
            .sum_all()
            .add(&fused.last_c.clone().unwrap().mul(&Var::new(seed_c.clone())).sum_all());
        loss_f.backward();
        let gf = grads(&all);

        let (outs, c_last) = lstm_composed(&xp, &r, &h0, &c0, mask.as_ref());
        let refs: Vec<&Var> = outs.iter().collect();
        let seq = Var::stack(&refs, 1);
        let loss_c = seq.mul(&Var::new(seed_seq)).sum_all().add(&c_last.mul(&Var::new(seed_c)).sum_all());
        assert!(fused.outputs.as_ref().unwrap().value().allclose(&seq.value(), 1e-12, 1e-12));
        assert!(fused.last_h.value().allclose(&outs[t - 1].value(), 1e-12, 1e-12));
        assert!(fused.last_c.unwrap().value().allclose(&c_last.value(), 1e-12, 1e-12));
        assert!((loss_f.item() - loss_c.item()).abs() < 1e-12);
        loss_c.backward();
        for (k, (a, b)) in gf.iter().zip(grads(&all)).enumerate() {
            assert!(a.allclose(&b, 1e-10, 1e-12), "input {k}: fused {a:?} vs composed {b:?}");
        }
    }
}

#[test]
fn fused_gru_equals_step_by_step_primitives() {
    let (n, t, u) = (2, 3, 2);
    let xp = Var::param(sym(&[n, t, 3 * u], 30));
    let r = Var::param(sym(&[u, 3 * u], 31));
    let b = Var::param(sym(&[3 * u], 32));
    let h0 = Var::param(sym(&[n, u], 33));
    let all = [xp.clone(), r.clone(), b.clone(), h0.clone()];
    let fused = xp.gru_sequence(&r, Some(&b), Some(&h0), None, RnnConfig::default());
    fused.outputs.as_ref().unwrap().sum_all().backward();
    let gf = grads(&all);

    let mut h = h0.clone();
    let mut outs = Vec::new();
    for s in 0..t {
        let x = xp.select(1, s);
        let a = h.matmul(&r).add(&b);
        let part = |v: &Var, k: usize| v.slice(1, k * u, (k + 1) * u, 1);
        let z = part(&x, 0).add(&part(&a, 0)).sigmoid();
        let rr = part(&x, 1).add(&part(&a, 1)).sigmoid();
        let hh = part(&x, 2).add(&rr.mul(&part(&a, 2))).tanh();
        h = z.mul(&h).add(&z.rsub_scalar(1.0).mul(&hh));
        outs.push(h.clone());
    }
    let refs: Vec<&Var> = outs.iter().collect();
    let seq = Var::stack(&refs, 1);
    assert!(fused.outputs.as_ref().unwrap().value().allclose(&seq.value(), 1e-12, 1e-12));
    seq.sum_all().backward();
    for (a, b) in gf.iter().zip(grads(&all)) {
        assert!(a.allclose(&b, 1e-10, 1e-12), "{a:?} vs {b:?}");
    }
}

/// One unit, two steps, numbers chosen so the gates are simple fractions:
/// σ(ln 3) = 3/4, σ(0) = 1/2, tanh(ln 2) = 3/5, tanh(0) = 0; recurrent kernel 0 and h0 = c0 = 0.
///
/// Step 1, z = (ln 3, ln 3, ln 2, ln 3): i = f = o = 3/4, g = 3/5,
///   c1 = f·0 + i·g = 9/20 = 0.45, h1 = o·tanh(c1) = 0.75·tanh(0.45).
/// Step 2, z = (0, ln 3, 0, 0): i = 1/2, f = 3/4, g = 0, o = 1/2,
///   c2 = f·c1 + i·g = 0.3375, h2 = 0.5·tanh(0.3375).
/// With L = h2:
///   dL/dc2 = o2 (1 - tanh²c2),                       dL/dc1 = dL/dc2 · f2
///   dL/dz2 = (dc2·g2·i2(1-i2), dc2·c1·f2(1-f2), dc2·i2·(1-g2²), tanh(c2)·o2(1-o2))
///          = (0, dc2·0.45·0.1875, dc2·0.5, tanh(0.3375)·0.25)
///   dL/dz1 = (dc1·g1·i1(1-i1), dc1·c0·…, dc1·i1(1-g1²), 0)   [o1 only reaches L through h1·R = 0]
///          = (dc1·0.6·0.1875, 0, dc1·0.75·0.64, 0)
///   dL/dR  = h0ᵀ dz1 + h1ᵀ dz2 = h1 · dL/dz2
#[test]
fn tiny_lstm_by_hand() {
    let (l3, l2) = (3f64.ln(), 2f64.ln());
    let xp = Var::param(Tensor::from_vec(vec![l3, l3, l2, l3, 0.0, l3, 0.0, 0.0], &[1, 2, 4]));
    let r = Var::param(Tensor::zeros(&[1, 4]).to_f64());
    let seq = xp.lstm_sequence(&r, None, None, None, RnnConfig::default());
    let h1 = 0.75 * 0.45f64.tanh();
    let h2 = 0.5 * 0.3375f64.tanh();
    let out = seq.outputs.as_ref().unwrap().value().to_vec_f64();
    assert!((out[0] - h1).abs() < 1e-14 && (out[1] - h2).abs() < 1e-14, "{out:?}");
    assert!((seq.last_c.as_ref().unwrap().item() - 0.3375).abs() < 1e-14);
    seq.last_h.sum_all().backward();

    let tc2 = 0.3375f64.tanh();
    let dc2 = 0.5 * (1.0 - tc2 * tc2);
    let dc1 = dc2 * 0.75;
    let dz2 = [0.0, dc2 * 0.45 * 0.1875, dc2 * 0.5, tc2 * 0.25];
    let dz1 = [dc1 * 0.6 * 0.1875, 0.0, dc1 * 0.75 * 0.64, 0.0];
    let want_dxp: Vec<f64> = dz1.iter().chain(&dz2).copied().collect();
    let got = xp.grad().unwrap().to_vec_f64();
    for (a, b) in got.iter().zip(&want_dxp) {
        assert!((a - b).abs() < 1e-14, "dx_proj {got:?} vs {want_dxp:?}");
    }
    let want_dr: Vec<f64> = dz2.iter().map(|d| h1 * d).collect();
    let got = r.grad().unwrap().to_vec_f64();
    for (a, b) in got.iter().zip(&want_dr) {
        assert!((a - b).abs() < 1e-14, "dR {got:?} vs {want_dr:?}");
    }
}

#[test]
fn f32_fast_gates_match_f64() {
    let (n, t, u) = (3, 5, 8);
    let xp = sym(&[n, t, 4 * u], 40).mul_scalar(4.0);
    let r = sym(&[u, 4 * u], 41);
    let run = |xp: &Tensor, r: &Tensor| {
        let s = Var::new(xp.clone()).lstm_sequence(&Var::new(r.clone()), None, None, None, RnnConfig::default());
        s.packed.value().to_f64()
    };
    let (a, b) = (run(&xp.to_f32(), &r.to_f32()), run(&xp, &r));
    assert!(a.max_abs_diff(&b) < 2e-6, "LSTM f32 vs f64: {}", a.max_abs_diff(&b));
    let xp3 = sym(&[n, t, 3 * u], 42).mul_scalar(4.0);
    let r3 = sym(&[u, 3 * u], 43);
    let gru = |xp: &Tensor, r: &Tensor| {
        let s = Var::new(xp.clone()).gru_sequence(&Var::new(r.clone()), None, None, None, RnnConfig::default());
        s.packed.value().to_f64()
    };
    let (a, b) = (gru(&xp3.to_f32(), &r3.to_f32()), gru(&xp3, &r3));
    assert!(a.max_abs_diff(&b) < 2e-6, "GRU f32 vs f64: {}", a.max_abs_diff(&b));
}

/// Big enough for the batch to be split across threads: with 1, 2, 3 or 4 threads (1 to 4
/// pieces of the batch), values and every gradient are bit-identical, for all three cells.
#[test]
fn the_batch_split_does_not_change_results() {
    // 32 rows and enough work per row that every cell splits (at least 2^20 multiply-adds).
    let (n, t, f, u) = (32, 16, 5, 48);
    for dtype_f64 in [false, true] {
        let cast = |x: Tensor| if dtype_f64 { x } else { x.to_f32() };
        let mask = Tensor::from_fn(&[n, t], |i| ((i[0] * 3 + i[1]) % 5 != 2) as u8 as f64);
        for gates in [4, 3, 1] {
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| {
                    let x = Var::param(cast(sym(&[n, t, f], 50)));
                    let k = Var::param(cast(sym(&[f, gates * u], 51)));
                    let r = Var::param(cast(sym(&[u, gates * u], 52)));
                    let b = Var::param(cast(sym(&[gates * u], 53)));
                    let h0 = Var::param(cast(sym(&[n, u], 54)));
                    let p = RnnParams::new(&k, &r).bias(Some(&b));
                    let cfg = RnnConfig::default();
                    let s = match gates {
                        4 => x.lstm(p, Some(&h0), None, Some(&mask), cfg),
                        3 => x.gru(p.recurrent_bias(Some(&b)), Some(&h0), Some(&mask), cfg),
                        _ => x.simple_rnn(p, Some(&h0), Some(&mask), cfg),
                    };
                    s.packed.backward_with(&cast(sym(s.packed.shape(), 55)), false).unwrap();
                    let mut out = vec![s.packed.value()];
                    out.extend(grads(&[x, k, r, b, h0]));
                    out
                })
            };
            let one = run(1);
            for threads in [2, 3, 4] {
                assert!(run(threads) == one, "{gates} gates, {threads} threads, f64 {dtype_f64}");
            }
        }
    }
}

#[test]
fn no_grad_records_nothing_and_zero_steps_give_the_initial_state() {
    let xp = Var::param(sym(&[2, 3, 8], 60));
    let r = Var::param(sym(&[2, 8], 61));
    let s = no_grad(|| xp.lstm_sequence(&r, None, None, None, RnnConfig::default()));
    assert!(!s.packed.requires_grad());

    let h0 = Var::new(sym(&[2, 2], 62));
    let c0 = Var::new(sym(&[2, 2], 63));
    let empty = Var::new(Tensor::zeros(&[2, 0, 8]).to_f64());
    let s = empty.lstm_sequence(&r, Some(&h0), Some(&c0), None, RnnConfig::default());
    assert_eq!(s.outputs.as_ref().unwrap().shape(), &[2, 0, 2]);
    assert_eq!(s.last_h.value(), h0.value());
    assert_eq!(s.last_c.unwrap().value(), c0.value());
}

/// Without the per-step outputs, the final states and their gradients are unchanged and the
/// op's value holds only them.
#[test]
fn final_states_only_equal_the_full_run() {
    let x = Var::param(sym(&[3, 5, 2], 110));
    let k = Var::param(sym(&[2, 12], 111));
    let r = Var::param(sym(&[3, 12], 112));
    let mask = Tensor::from_fn(&[3, 5], |i| ((i[0] + i[1]) % 4 != 1) as u8 as f64);
    let all = [x.clone(), k.clone(), r.clone()];
    let mut results = Vec::new();
    for seq in [true, false] {
        let cfg = RnnConfig::default().with_sequences(seq);
        let s = x.lstm(RnnParams::new(&k, &r), None, None, Some(&mask), cfg);
        assert_eq!(s.outputs.is_some(), seq);
        assert_eq!(s.packed.shape(), if seq { &[3, 7, 3] } else { &[3, 2, 3] });
        let c = s.last_c.clone().unwrap();
        s.last_h.add(&c.mul_scalar(0.5)).sum_all().backward();
        results.push((s.last_h.value(), c.value(), grads(&all)));
    }
    assert!(results[0] == results[1]);
}

#[test]
fn backward_twice_with_retain_graph_accumulates() {
    let x = Var::new(sym(&[3, 4, 2], 100));
    let k = Var::param(sym(&[2, 8], 101));
    let r = Var::param(sym(&[2, 8], 102));
    let s = x.lstm(RnnParams::new(&k, &r), None, None, None, RnnConfig::default());
    let seed = sym(&[3, 2], 103);
    s.last_h.backward_with(&seed, true).unwrap();
    let once = r.take_grad().unwrap();
    s.last_h.backward_with(&seed, true).unwrap();
    s.last_h.backward_with(&seed, false).unwrap();
    assert!(r.grad().unwrap().allclose(&once.mul_scalar(2.0), 1e-12, 1e-14));
    drop(s);
}

#[test]
fn a_fully_masked_row_keeps_its_initial_state() {
    let xp = Var::new(sym(&[2, 3, 3], 70));
    let r = Var::new(sym(&[1, 3], 71));
    let h0 = Var::new(sym(&[2, 1], 72));
    let mask = Tensor::from_vec(vec![0.0f64, 0.0, 0.0, 1.0, 1.0, 1.0], &[2, 3]);
    let s = xp.gru_sequence(&r, None, Some(&h0), Some(&mask), RnnConfig::default());
    assert_eq!(s.last_h.value().at(&[0, 0]), h0.value().at(&[0, 0]));
    assert_ne!(s.last_h.value().at(&[1, 0]), h0.value().at(&[1, 0]));
    assert!(s.outputs.as_ref().unwrap().value().select(0, 0).to_vec_f64().iter().all(|&v| v == h0.value().at(&[0, 0])));
}

#[test]
#[should_panic(
    expected = "lstm_sequence: the projected input must be [batch, time, 4 * units] = [.., .., 8], got [2, 3, 6]"
)]
fn wrong_projection_width_names_the_shapes() {
    let xp = Var::new(Tensor::zeros(&[2, 3, 6]));
    xp.lstm_sequence(&Var::new(Tensor::zeros(&[2, 8])), None, None, None, RnnConfig::default());
}

#[test]
#[should_panic(expected = "gru_sequence: the initial h0 must be [batch, units] = [2, 2], got [3, 2]")]
fn wrong_initial_state_names_the_shapes() {
    let xp = Var::new(Tensor::zeros(&[2, 3, 6]));
    let h0 = Var::new(Tensor::zeros(&[3, 2]));
    xp.gru_sequence(&Var::new(Tensor::zeros(&[2, 6])), None, Some(&h0), None, RnnConfig::default());
}

#[test]
#[should_panic(expected = "simple_rnn_sequence: the mask must be [batch, time] = [2, 3], got [3, 2]")]
fn wrong_mask_names_the_shapes() {
    let xp = Var::new(Tensor::zeros(&[2, 3, 2]));
    let mask = Tensor::ones(&[3, 2]);
    xp.simple_rnn_sequence(&Var::new(Tensor::zeros(&[2, 2])), None, Some(&mask), RnnConfig::default());
}

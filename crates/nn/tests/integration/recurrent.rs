//! The recurrent layers, cells and sequence glue: the layer contract (`check_layer`, gradcheck in
//! f64), masks, initial states, Keras' gate order and weight layout, cells against layers,
//! Bidirectional, TimeDistributed, RepeatVector, specs, errors, and the Seq2Seq model.

use kerosene_autograd::{Tolerances, Var, gradcheck_with_params, no_grad};
use kerosene_nn::testing::check_layer;
use kerosene_nn::*;
use kerosene_tensor::{DType, Rng, Tensor};

fn randn(shape: &'static [usize]) -> impl Fn(&mut Rng) -> Tensor {
    move |rng| Tensor::randn(shape, rng)
}

fn sym(shape: &[usize], seed: u64) -> Tensor {
    Tensor::rand_uniform(shape, -1.0, 1.0, &mut Rng::new(seed)).to_f64()
}

#[track_caller]
fn gradcheck_layer(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor], params: &[Var]) {
    if let Err(e) = gradcheck_with_params(f, inputs, params, Tolerances::default()) {
        panic!("{e}");
    }
}

/// `[2, 4]`: row 0 has two real steps then padding, row 1 is padded at the start and inside.
fn mask_2x4() -> Tensor {
    Tensor::from_vec(vec![1.0f64, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0], &[2, 4])
}

#[test]
fn lstm_layer_contract() {
    let p = 4 * 3 * (4 + 3 + 1);
    check_layer(|| LSTM::new(3), &[2, 4, 4], &[2, 3], p, randn(&[2, 4, 4]), false, false);
    check_layer(|| LSTM::new(3).return_sequences(true), &[2, 4, 4], &[2, 4, 3], p, randn(&[2, 4, 4]), false, false);
    check_layer(|| LSTM::new(2).use_bias(false), &[3, 3, 2], &[3, 2], 4 * 2 * 4, randn(&[3, 3, 2]), false, false);
    check_layer(
        || LSTM::new(2).activation(Activation::Relu).recurrent_activation(Activation::Tanh).unit_forget_bias(false),
        &[2, 3, 2],
        &[2, 2],
        4 * 2 * 5,
        randn(&[2, 3, 2]),
        false,
        false,
    );
}

#[test]
fn gru_layer_contract() {
    let p = 3 * 3 * (4 + 3 + 2);
    check_layer(|| GRU::new(3), &[2, 4, 4], &[2, 3], p, randn(&[2, 4, 4]), false, false);
    check_layer(|| GRU::new(3).return_sequences(true), &[2, 4, 4], &[2, 4, 3], p, randn(&[2, 4, 4]), false, false);
    check_layer(|| GRU::new(2).use_bias(false), &[2, 3, 3], &[2, 2], 3 * 2 * 5, randn(&[2, 3, 3]), false, false);
}

#[test]
fn simple_rnn_layer_contract() {
    let p = 3 * (4 + 3 + 1);
    check_layer(|| SimpleRNN::new(3), &[2, 4, 4], &[2, 3], p, randn(&[2, 4, 4]), false, false);
    check_layer(
        || SimpleRNN::new(3).return_sequences(true).activation(Activation::Sigmoid),
        &[2, 4, 4],
        &[2, 4, 3],
        p,
        randn(&[2, 4, 4]),
        false,
        false,
    );
}

#[test]
fn bidirectional_contract_every_merge_mode() {
    let p = 2 * 4 * 3 * (2 + 3 + 1);
    for (mode, width) in [(MergeMode::Concat, 6), (MergeMode::Sum, 3), (MergeMode::Mul, 3), (MergeMode::Ave, 3)] {
        check_layer(
            || Bidirectional::new(LSTM::new(3).return_sequences(true)).merge_mode(mode),
            &[2, 4, 2],
            &[2, 4, width],
            p,
            randn(&[2, 4, 2]),
            false,
            false,
        );
    }
    check_layer(
        || Bidirectional::new(GRU::new(2)),
        &[2, 3, 2],
        &[2, 4],
        2 * 3 * 2 * 6,
        randn(&[2, 3, 2]),
        false,
        false,
    );
    check_layer(
        || Bidirectional::new(SimpleRNN::new(2).return_sequences(true)),
        &[2, 3, 2],
        &[2, 3, 4],
        2 * 2 * 5,
        randn(&[2, 3, 2]),
        false,
        false,
    );
}

#[test]
fn time_distributed_and_repeat_vector_contract() {
    check_layer(|| TimeDistributed::new(Dense::new(3)), &[2, 4, 5], &[2, 4, 3], 18, randn(&[2, 4, 5]), false, false);
    check_layer(
        || TimeDistributed::new(Dense::new(3).activation(Activation::Softmax)),
        &[2, 4, 5],
        &[2, 4, 3],
        18,
        randn(&[2, 4, 5]),
        false,
        false,
    );
    check_layer(
        || TimeDistributed::new(Flatten::new()),
        &[2, 3, 2, 2],
        &[2, 3, 4],
        0,
        randn(&[2, 3, 2, 2]),
        false,
        false,
    );
    check_layer(|| RepeatVector::new(3), &[2, 4], &[2, 3, 4], 0, randn(&[2, 4]), false, false);
}

/// Builds a layer in f64 for gradchecks on its own parameters.
fn built_f64<L: Layer>(mut l: L, input: &[usize]) -> (L, Vec<Var>) {
    l.build(input, &mut Rng::new(3)).unwrap();
    l.to_dtype(DType::F64);
    let p = l.parameters();
    (l, p)
}

#[test]
fn gradcheck_with_masks_and_initial_states() {
    let mask = mask_2x4();
    let x = sym(&[2, 4, 3], 1);
    let (h0, c0) = (sym(&[2, 2], 2), sym(&[2, 2], 3));

    for seqs in [false, true] {
        let (lstm, p) = built_f64(LSTM::new(2).return_sequences(seqs), &[4, 3]);
        gradcheck_layer(|v| lstm.call(&v[0], None, Some(&mask)).output, std::slice::from_ref(&x), &p);
        gradcheck_layer(
            |v| {
                let out = lstm.call(&v[0], Some(&[v[1].clone(), v[2].clone()]), Some(&mask));
                Var::concat(&[&out.output.reshape(&[2, -1]), &out.states[0], &out.states[1]], 1)
            },
            &[x.clone(), h0.clone(), c0.clone()],
            &p,
        );

        let (gru, p) = built_f64(GRU::new(2).return_sequences(seqs), &[4, 3]);
        gradcheck_layer(
            |v| gru.call(&v[0], Some(std::slice::from_ref(&v[1])), Some(&mask)).output,
            &[x.clone(), h0.clone()],
            &p,
        );

        let (rnn, p) = built_f64(SimpleRNN::new(2).return_sequences(seqs), &[4, 3]);
        gradcheck_layer(
            |v| rnn.call(&v[0], Some(std::slice::from_ref(&v[1])), Some(&mask)).output,
            &[x.clone(), h0.clone()],
            &p,
        );

        let (bi, p) = built_f64(Bidirectional::new(LSTM::new(2).return_sequences(seqs)), &[4, 3]);
        let states = [h0.clone(), c0.clone(), c0.clone(), h0.clone()];
        gradcheck_layer(
            |v| bi.call(&v[0], Some(&v[1..]), Some(&mask)).output,
            &[x.clone(), states[0].clone(), states[1].clone(), states[2].clone(), states[3].clone()],
            &p,
        );
    }
}

#[test]
fn trailing_padding_gives_the_result_of_the_shorter_sequence() {
    let x = Var::new(Tensor::randn(&[2, 5, 3], &mut Rng::new(4)));
    let mask = Tensor::from_vec(vec![1.0f32, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0], &[2, 5]);
    let lstm = LSTM::new(4).seed(1);
    let gru = GRU::new(4).seed(2);
    let rnn = SimpleRNN::new(4).seed(3);
    let short = x.value().slice(0, 0, 1, 1).slice(1, 0, 3, 1).contiguous();
    let whole = x.value().slice(0, 1, 2, 1).contiguous();
    for (masked, first, second) in [
        (
            lstm.call(&x, None, Some(&mask)),
            lstm.forward(&Var::new(short.clone())),
            lstm.forward(&Var::new(whole.clone())),
        ),
        (gru.call(&x, None, Some(&mask)), gru.forward(&Var::new(short.clone())), gru.forward(&Var::new(whole.clone()))),
        (rnn.call(&x, None, Some(&mask)), rnn.forward(&Var::new(short.clone())), rnn.forward(&Var::new(whole.clone()))),
    ] {
        let m = masked.output.value();
        assert!(m.slice(0, 0, 1, 1).allclose(&first.value(), 1e-6, 1e-7));
        assert!(m.slice(0, 1, 2, 1).allclose(&second.value(), 1e-6, 1e-7));
    }
}

#[test]
fn padding_mask_from_embedding_ids() {
    let ids = Tensor::from_vec(vec![4.0f32, 2.0, 0.0, 0.0, 1.0, 0.0], &[2, 3]);
    assert_eq!(padding_mask(&ids, 0).to_vec::<f32>(), vec![1.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    // Embedding(mask_zero) + LSTM with that mask: the padded steps change nothing.
    let emb = Embedding::new(5, 3).mask_zero(true).seed(0);
    let lstm = LSTM::new(2).return_sequences(true).seed(0);
    let out = lstm.call(&emb.forward(&Var::new(ids.clone())), None, Some(&padding_mask(&ids, 0))).output.value();
    assert_eq!(out.select(1, 2).select(0, 0).to_vec::<f32>(), out.select(1, 1).select(0, 0).to_vec::<f32>());
    assert_eq!(out.select(1, 0).select(0, 1).to_vec::<f32>(), vec![0.0, 0.0]); // leading padding: the zero state
    assert_eq!(out.select(1, 2).select(0, 1).to_vec::<f32>(), out.select(1, 1).select(0, 1).to_vec::<f32>());
}

/// The LSTM layer equals Keras' formulas computed with primitive ops on its own weights:
/// kernel `[F, 4U]`, recurrent kernel `[U, 4U]`, bias `[4U]`, gates in the order i, f, c, o.
#[test]
fn lstm_matches_keras_formulas_and_layout() {
    let (n, t, f, u) = (2, 3, 3, 2);
    let mut lstm = LSTM::new(u).return_sequences(true);
    let x = Var::new(Tensor::randn(&[n, t, f], &mut Rng::new(6)).to_f64());
    lstm.build(&[t, f], &mut Rng::new(5)).unwrap();
    lstm.to_dtype(DType::F64);
    let w = lstm.weights().unwrap();
    assert_eq!(w.kernel.shape(), &[f, 4 * u]);
    assert_eq!(w.recurrent_kernel.shape(), &[u, 4 * u]);
    let b = w.bias.as_ref().unwrap();
    assert_eq!(b.value().to_vec_f64(), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]); // unit_forget_bias
    b.set_value(sym(&[4 * u], 7)); // any bias, to check where each slice goes
    let got = lstm.forward(&x).value();

    let (mut h, mut c) = (Var::new(Tensor::zeros(&[n, u]).to_f64()), Var::new(Tensor::zeros(&[n, u]).to_f64()));
    let mut outs = Vec::new();
    for s in 0..t {
        let z = x.select(1, s).matmul(&w.kernel).add(&h.matmul(&w.recurrent_kernel)).add(b);
        let g = |k: usize| z.slice(1, k * u, (k + 1) * u, 1);
        let (i, fg, cc, o) = (g(0).sigmoid(), g(1).sigmoid(), g(2).tanh(), g(3).sigmoid());
        c = fg.mul(&c).add(&i.mul(&cc));
        h = o.mul(&c.tanh());
        outs.push(h.value());
    }
    let refs: Vec<&Tensor> = outs.iter().collect();
    assert!(got.allclose(&Tensor::stack(&refs, 1), 1e-12, 1e-12));
}

/// The GRU layer equals Keras' `reset_after=True` formulas: bias `[2, 3U]` (input, recurrent),
/// gates z, r, h, `h = z h_prev + (1 - z) ĥ`.
#[test]
fn gru_matches_keras_formulas_and_layout() {
    let (n, t, f, u) = (2, 3, 3, 2);
    let mut gru = GRU::new(u);
    let x = Var::new(Tensor::randn(&[n, t, f], &mut Rng::new(9)).to_f64());
    gru.build(&[t, f], &mut Rng::new(8)).unwrap();
    gru.to_dtype(DType::F64);
    let w = gru.weights().unwrap();
    let b = w.bias.as_ref().unwrap();
    assert_eq!(b.shape(), &[2, 3 * u]);
    b.set_value(sym(&[2, 3 * u], 10));
    let got = gru.forward(&x).value();
    let (bi, br) = (b.select(0, 0), b.select(0, 1));
    let mut h = Var::new(Tensor::zeros(&[n, u]).to_f64());
    for s in 0..t {
        let xz = x.select(1, s).matmul(&w.kernel).add(&bi);
        let a = h.matmul(&w.recurrent_kernel).add(&br);
        let p = |v: &Var, k: usize| v.slice(1, k * u, (k + 1) * u, 1);
        let z = p(&xz, 0).add(&p(&a, 0)).sigmoid();
        let r = p(&xz, 1).add(&p(&a, 1)).sigmoid();
        let hh = p(&xz, 2).add(&r.mul(&p(&a, 2))).tanh();
        h = z.mul(&h).add(&z.rsub_scalar(1.0).mul(&hh));
    }
    assert!(got.allclose(&h.value(), 1e-12, 1e-12));
}

#[test]
fn cells_step_like_their_layers() {
    let x = Tensor::randn(&[3, 4, 2], &mut Rng::new(11));
    let lstm = LSTM::new(5).return_sequences(true).seed(1);
    let cell = LSTMCell::new(5);
    let out = lstm.call(&Var::new(x.clone()), None, None);
    cell.build(2, &mut Rng::new(0)).unwrap();
    cell.load_state_dict(&lstm.state_dict()).unwrap();
    let mut state = cell.zero_states(3);
    for s in 0..4 {
        let xs = Var::new(x.select(1, s));
        state = cell.step(&xs, &state);
        assert_eq!(state[0].value(), out.output.value().select(1, s).contiguous());
        // The layer's own step API agrees too.
        let via_layer = lstm.step(&xs, &if s == 0 { lstm.zero_states(3) } else { state.clone() });
        assert_eq!(via_layer.len(), 2);
    }
    assert_eq!(state[1].value(), out.states[1].value());

    let gru = GRU::new(3).seed(2);
    let gcell = GRUCell::new(3);
    gcell.build(2, &mut Rng::new(0)).unwrap();
    gru.forward(&Var::new(x.clone())); // built
    gcell.load_state_dict(&gru.state_dict()).unwrap();
    let mut h = Vec::new();
    for s in 0..4 {
        h = gcell.step(&Var::new(x.select(1, s)), &h);
    }
    assert!(h[0].value().allclose(&gru.forward(&Var::new(x.clone())).value(), 1e-6, 1e-7));

    let rnn = SimpleRNN::new(3).seed(3);
    let rcell = SimpleRNNCell::new(3).seed(99);
    rcell.forward(&Var::new(x.select(1, 0))); // built lazily, seeded
    rcell
        .load_state_dict(&{
            rnn.forward(&Var::new(x.clone()));
            rnn.state_dict()
        })
        .unwrap();
    let mut h = Vec::new();
    for s in 0..4 {
        h = rcell.step(&Var::new(x.select(1, s)), &h);
    }
    assert!(h[0].value().allclose(&rnn.forward(&Var::new(x)).value(), 1e-6, 1e-7));
    assert_eq!(rcell.count_params(2), 3 * (2 + 3 + 1));
}

#[test]
fn cell_step_gradcheck() {
    let cell = LSTMCell::new(2);
    cell.build(3, &mut Rng::new(0)).unwrap();
    cell.to_dtype(DType::F64);
    let p = cell.parameters();
    gradcheck_layer(
        |v| {
            let s = cell.step(&v[0], &[v[1].clone(), v[2].clone()]);
            Var::concat(&[&s[0], &s[1]], 1)
        },
        &[sym(&[2, 3], 1), sym(&[2, 2], 2), sym(&[2, 2], 3)],
        &p,
    );
    let gcell = GRUCell::new(2);
    gcell.build(3, &mut Rng::new(0)).unwrap();
    gcell.to_dtype(DType::F64);
    let p = gcell.parameters();
    gradcheck_layer(
        |v| gcell.step(&v[0], std::slice::from_ref(&v[1])).swap_remove(0),
        &[sym(&[2, 3], 4), sym(&[2, 2], 5)],
        &p,
    );
}

#[test]
fn state_dict_names_follow_keras() {
    let lstm = LSTM::new(2).seed(0);
    lstm.forward(&Var::new(Tensor::zeros(&[1, 2, 3])));
    let names: Vec<String> = lstm.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["kernel", "recurrent_kernel", "bias"]);
    let bi = Bidirectional::new(GRU::new(2).seed(0));
    bi.forward(&Var::new(Tensor::zeros(&[1, 2, 3])));
    let names: Vec<String> = bi.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "forward.kernel",
            "forward.recurrent_kernel",
            "forward.bias",
            "backward.kernel",
            "backward.recurrent_kernel",
            "backward.bias"
        ]
    );
    // The two directions start from different weights.
    let p = bi.parameters();
    assert_ne!(p[0].value(), p[3].value());
}

#[test]
fn specs_round_trip_and_names() {
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(LSTM::new(4).return_sequences(true).return_state(true).unit_forget_bias(false)),
        Box::new(GRU::new(3).activation(Activation::Relu)),
        Box::new(SimpleRNN::new(2).use_bias(false)),
        Box::new(Bidirectional::new(LSTM::new(2)).merge_mode(MergeMode::Sum)),
        Box::new(TimeDistributed::new(Dense::new(5))),
        Box::new(RepeatVector::new(7)),
    ];
    let kinds: Vec<&str> = layers.iter().map(|l| l.kind()).collect();
    assert_eq!(kinds, ["LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "RepeatVector"]);
    let names: Vec<&str> = layers.iter().map(|l| l.name()).collect();
    assert_eq!(names, ["lstm", "gru", "simple_rnn", "bidirectional_lstm", "time_distributed", "repeat_vector"]);
    for l in &layers {
        let spec = l.spec().unwrap();
        let again = spec.instantiate();
        assert_eq!(again.spec().unwrap(), spec);
        assert_eq!(again.kind(), l.kind());
    }
}

#[test]
fn shape_inference_and_errors_name_the_layer_and_shapes() {
    let mut lstm = LSTM::new(4).return_sequences(true);
    assert_eq!(lstm.output_shape(&[7, 3]).unwrap(), vec![7, 4]);
    lstm.build(&[7, 3], &mut Rng::new(0)).unwrap();
    let e = lstm.output_shape(&[7, 5]).unwrap_err().to_string();
    assert_eq!(
        e,
        "layer \"lstm\" expected axis -1 of input shape to have value 3, but received input with shape [7, 5]"
    );
    let e = GRU::new(2).output_shape(&[5]).unwrap_err().to_string();
    assert!(e.contains("layer \"gru\" expects inputs of rank 2") && e.contains("[5]"), "{e}");
    let e = RepeatVector::new(2).output_shape(&[3, 4]).unwrap_err().to_string();
    assert!(e.contains("repeat_vector") && e.contains("[3, 4]"), "{e}");
    let e = Bidirectional::new(LSTM::new(2)).output_shape(&[3]).unwrap_err().to_string();
    assert!(e.contains("bidirectional_lstm (lstm)") && e.contains("[3]"), "{e}");
    assert_eq!(Bidirectional::new(LSTM::new(2)).output_shape(&[5, 3]).unwrap(), vec![4]);
    assert_eq!(TimeDistributed::new(Dense::new(6)).output_shape(&[5, 3]).unwrap(), vec![5, 6]);
}

#[test]
#[should_panic(expected = "layer \"lstm\" expects inputs [batch, time, features], got shape [4, 3]")]
fn a_2d_input_panics_with_the_layer_name() {
    LSTM::new(2).forward(&Var::new(Tensor::zeros(&[4, 3])));
}

#[test]
#[should_panic(expected = "layer \"lstm\" (LSTM) takes 2 initial state tensor(s) ([h, c], each [batch, 2]), got 1")]
fn a_missing_cell_state_panics() {
    let h = Var::new(Tensor::zeros(&[1, 2]));
    LSTM::new(2).forward_with_state(&Var::new(Tensor::zeros(&[1, 3, 2])), &[h]);
}

#[test]
#[should_panic(expected = "GRU: activation \"gelu\" is not supported by the fused recurrent kernel")]
fn an_unfusable_activation_panics_at_the_builder() {
    let _ = GRU::new(2).activation(Activation::Gelu);
}

#[test]
fn seq2seq_shapes_names_and_gradients_reach_every_parameter() {
    for cell in [Seq2SeqCell::Lstm, Seq2SeqCell::Gru] {
        let cfg = Seq2SeqConfig { cell, pad_id: Some(0), ..Seq2SeqConfig::new(6, 3, 2) };
        let model = Seq2Seq::from_config(cfg, &mut Rng::new(1));
        let names: Vec<String> = model.state_dict().names().into_iter().map(|s| s.to_string()).collect();
        assert_eq!(names[0], "embedding.embeddings");
        assert!(names.contains(&"encoder.recurrent_kernel".to_string()));
        assert!(names.contains(&"decoder.kernel".to_string()));
        assert_eq!(names.last().unwrap(), "output.bias");

        let src = Tensor::from_vec(vec![3.0f32, 4.0, 0.0, 5.0, 3.0, 4.0], &[2, 3]);
        let dec_in = Tensor::from_vec(vec![1.0f32, 4.0, 1.0, 5.0], &[2, 2]);
        model.to_dtype(DType::F64);
        let params = model.parameters();
        gradcheck_layer(|_| model.forward_teacher_forcing(&src, &dec_in), &[], &params);
    }
}

/// Greedy decoding step by step equals the argmax of teacher forcing on its own output.
#[test]
fn greedy_decoding_is_consistent_with_teacher_forcing() {
    let model = Seq2Seq::new(7, 4, 8, &mut Rng::new(2));
    let src = Tensor::from_vec(vec![3.0f32, 4.0, 5.0, 6.0, 6.0, 5.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0], &[3, 4]);
    let (start, end, max_len) = (1, 2, 6);
    let decoded = model.greedy_decode(&src, start, end, max_len);
    for (k, seq) in decoded.iter().enumerate() {
        let mut dec_in = vec![start as f32];
        dec_in.extend(seq.iter().map(|&t| t as f32));
        let logits = model.forward_teacher_forcing(
            &src.slice(0, k, k + 1, 1).contiguous(),
            &Tensor::from_vec(dec_in.clone(), &[1, dec_in.len()]),
        );
        let argmax = logits.value().argmax_indices(-1);
        assert_eq!(&argmax[..seq.len()], &seq[..], "sample {k}");
        if seq.len() < max_len {
            assert_eq!(argmax[seq.len()], end, "sample {k} stopped without END");
        }
    }
}

/// A few hundred plain SGD steps teach a tiny model to reverse 3-token sequences it has seen.
#[test]
fn seq2seq_learns_a_tiny_task() {
    let model = Seq2Seq::new(8, 8, 24, &mut Rng::new(3));
    let seqs: [[usize; 3]; 4] = [[3, 4, 5], [5, 6, 7], [7, 3, 4], [6, 6, 3]];
    let src = Tensor::from_vec(seqs.iter().flatten().map(|&v| v as f32).collect::<Vec<_>>(), &[4, 3]);
    let rev: Vec<Vec<usize>> = seqs.iter().map(|s| s.iter().rev().copied().collect()).collect();
    let dec_in: Vec<f32> = rev.iter().flat_map(|r| [1.0, r[0] as f32, r[1] as f32, r[2] as f32]).collect();
    let target: Vec<f32> = rev.iter().flat_map(|r| [r[0] as f32, r[1] as f32, r[2] as f32, 2.0]).collect();
    let (dec_in, target) = (Tensor::from_vec(dec_in, &[4, 4]), Tensor::from_vec(target, &[4, 4]));
    let params = model.parameters();
    for _ in 0..300 {
        let logits = model.forward_teacher_forcing(&src, &dec_in);
        let loss = logits.log_softmax_nll(&target).unwrap().mean_all();
        loss.backward();
        for p in &params {
            if let Some(g) = p.take_grad() {
                p.update_value(|v| v.add_assign_scaled(&g, -0.5));
            }
        }
    }
    assert_eq!(model.greedy_decode(&src, 1, 2, 5), rev);
    no_grad(|| assert_eq!(model.forward_teacher_forcing(&src, &dec_in).value().argmax_indices(-1).len(), 16));
}

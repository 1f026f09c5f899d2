//! Optimizer state never goes subnormal: after one real gradient and ten thousand zero ones (a
//! weight whose input pixel is black from then on), every moment buffer decays to exactly zero
//! without passing through the subnormal range, where x86 arithmetic is ~100x slower. Without
//! the flush in the updates, Adam's `m = 0.1 * 0.9^t` is subnormal from step ~820 to ~960.

use kerosene_optim::{
    AdamParams, AdamaxParams, LionParams, NAdamParams, RmsPropParams, SgdParams, adam_update, adamax_update,
    lion_update, nadam_update, rmsprop_update, sgd_update,
};

const STEPS: u64 = 10_000;

/// One step with real gradients (including ones of 1e-20 and 1e-30, which would make `g * g`
/// subnormal), then zero gradients; `update(step, g, state)` runs one step of an optimizer. 10,000 steps take
/// the slowest-decaying first buffers here (beta 0.99: Lion, RMSprop) through the subnormal range.
fn check(name: &str, buffers: usize, mut update: impl FnMut(u64, &[f32], &mut [f32], &mut [Vec<f32>])) {
    let first = [1.0f32, -0.5, 1e-20, -1e-30, 3e-5];
    let zeros = [0.0f32; 5];
    let mut p = vec![0.25f32; 5];
    let mut state = vec![vec![0.0f32; 5]; buffers];
    for step in 1..=STEPS {
        update(step, if step == 1 { &first } else { &zeros }, &mut p, &mut state);
        for (b, buf) in state.iter().enumerate() {
            for &x in buf {
                assert!(!x.is_subnormal(), "{name}: buffer {b} holds the subnormal {x:e} after step {step}");
            }
        }
        assert!(p.iter().all(|x| x.is_finite() && !x.is_subnormal()), "{name}: {p:?}");
    }
    // The first buffers (decaying by 0.9 or 0.99 per step) are exactly zero by now.
    assert!(state[0].iter().all(|&x| x == 0.0), "{name}: {:?}", state[0]);
}

#[test]
fn adam_and_amsgrad_state_never_goes_subnormal() {
    check("adam", 2, |step, g, p, s| {
        let [m, v] = s else { unreachable!() };
        adam_update(p, g, m, v, None, &AdamParams::default(), step)
    });
    let hp = AdamParams { amsgrad: true, ..AdamParams::default() };
    check("amsgrad", 3, |step, g, p, s| {
        let [m, v, mv] = s else { unreachable!() };
        adam_update(p, g, m, v, Some(mv), &hp, step)
    });
    let hp = AdamParams { weight_decay: 0.01, decoupled_weight_decay: true, ..AdamParams::default() };
    check("adamw", 2, |step, g, p, s| {
        let [m, v] = s else { unreachable!() };
        adam_update(p, g, m, v, None, &hp, step)
    });
}

#[test]
fn nadam_adamax_lion_state_never_goes_subnormal() {
    let mut mu_product = 1.0;
    check("nadam", 2, |step, g, p, s| {
        let [m, v] = s else { unreachable!() };
        nadam_update(p, g, m, v, &mut mu_product, &NAdamParams::default(), step)
    });
    check("adamax", 2, |step, g, p, s| {
        let [m, u] = s else { unreachable!() };
        adamax_update(p, g, m, u, &AdamaxParams::default(), step)
    });
    check("lion", 1, |_, g, p, s| lion_update(p, g, &mut s[0], &LionParams::default()));
}

#[test]
fn sgd_momentum_and_rmsprop_state_never_goes_subnormal() {
    let hp = SgdParams { momentum: 0.9, ..SgdParams::default() };
    check("sgd momentum", 1, |step, g, p, s| sgd_update(p, g, Some(&mut s[0]), &hp, step));
    let hp = RmsPropParams { momentum: 0.9, centered: true, ..RmsPropParams::default() };
    check("rmsprop", 3, |_, g, p, s| {
        let [sq, avg, mom] = s else { unreachable!() };
        rmsprop_update(p, g, sq, Some(avg), Some(mom), &hp)
    });
}

//! Every update rule against a real PyTorch run: 3 (or 5) steps on `p0 = [1, -2, 3]` with the loss
//! `sum((p - [0.5, 0.25, -1])^2)` (gradient `2 (p - target)`), in `f64`. The numbers below were
//! printed by PyTorch 2.15.0+cu132 (CPU, single-tensor implementations) running this script:
//!
//! ```python
//! import torch
//! torch.set_default_dtype(torch.float64)
//! P0 = [1.0, -2.0, 3.0]
//! TARGET = torch.tensor([0.5, 0.25, -1.0])
//!
//! def run(name, make, steps=3):
//!     p = torch.tensor(P0, requires_grad=True)
//!     opt = make([p])
//!     out = []
//!     for _ in range(steps):
//!         opt.zero_grad()
//!         loss = ((p - TARGET) ** 2).sum()   # grad = 2 (p - target)
//!         loss.backward()
//!         opt.step()
//!         out.append(p.detach().tolist())
//!     print(f"// {name}")
//!     print("&[" + ", ".join("[" + ", ".join(repr(x) for x in row) + "]" for row in out) + "],")
//!
//! O = torch.optim
//! run("sgd lr=0.1", lambda ps: O.SGD(ps, lr=0.1))
//! run("sgd lr=0.1 momentum=0.9", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9))
//! run("sgd lr=0.1 momentum=0.9 dampening=0.5", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5))
//! run("sgd lr=0.1 momentum=0.9 nesterov", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, nesterov=True))
//! run("sgd lr=0.1 momentum=0.5 weight_decay=0.1", lambda ps: O.SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.1))
//! run("adam lr=0.1 eps=1e-8", lambda ps: O.Adam(ps, lr=0.1, eps=1e-8))
//! run("adam lr=0.5 betas=(0.9,0.5) amsgrad, 5 steps", lambda ps: O.Adam(ps, lr=0.5, betas=(0.9, 0.5), amsgrad=True), steps=5)
//! run("adam lr=0.5 betas=(0.9,0.5) no amsgrad, 5 steps", lambda ps: O.Adam(ps, lr=0.5, betas=(0.9, 0.5)), steps=5)
//! run("adam lr=0.1 weight_decay=0.1", lambda ps: O.Adam(ps, lr=0.1, weight_decay=0.1))
//! run("adamw lr=0.1 weight_decay=0.1", lambda ps: O.AdamW(ps, lr=0.1, weight_decay=0.1))
//! run("rmsprop lr=0.01", lambda ps: O.RMSprop(ps, lr=0.01))
//! run("rmsprop lr=0.01 centered", lambda ps: O.RMSprop(ps, lr=0.01, centered=True))
//! run("rmsprop lr=0.01 momentum=0.9", lambda ps: O.RMSprop(ps, lr=0.01, momentum=0.9))
//! run("rmsprop lr=0.01 alpha=0.9 eps=1e-7 centered momentum=0.5 weight_decay=0.1",
//!     lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-7, centered=True, momentum=0.5, weight_decay=0.1))
//! run("adagrad lr=0.1", lambda ps: O.Adagrad(ps, lr=0.1))
//! run("adagrad lr=0.1 lr_decay=0.1 weight_decay=0.1 initial_accumulator_value=0.1 eps=1e-7",
//!     lambda ps: O.Adagrad(ps, lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1, eps=1e-7))
//! run("adamax lr=0.1", lambda ps: O.Adamax(ps, lr=0.1))
//! run("adamax lr=0.1 weight_decay=0.1", lambda ps: O.Adamax(ps, lr=0.1, weight_decay=0.1))
//! run("nadam lr=0.1", lambda ps: O.NAdam(ps, lr=0.1))
//! run("nadam lr=0.1 weight_decay=0.1", lambda ps: O.NAdam(ps, lr=0.1, weight_decay=0.1))
//! print("// torch", torch.__version__)
//! ```
//!
//! The eps of each run is PyTorch's default unless given: `X::new(params, lr)` follows PyTorch's
//! defaults (Keras' eps of 1e-7 is only the `Default`), so the runs compare like with like.
//! Lion is not in PyTorch; its steps are derived by hand at the end.

use crate::common;

use common::{assert_close, run_reference};
use kerosene_optim::{Adagrad, Adam, AdamW, Adamax, Lion, NAdam, RmsProp, Sgd};

// Same operations in the same order as PyTorch in f64: agreement to rounding noise.
const RTOL: f64 = 1e-10;
const ATOL: f64 = 1e-12;

#[test]
fn sgd_plain() {
    // torch: sgd lr=0.1
    let expected: &[[f64; 3]] =
        &[[0.9, -1.55, 2.2], [0.8200000000000001, -1.19, 1.56], [0.756, -0.9019999999999999, 1.048]];
    assert_close(&run_reference(|p| Sgd::new(p, 0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn sgd_momentum() {
    // torch: sgd lr=0.1 momentum=0.9
    let expected: &[[f64; 3]] = &[
        [0.9, -1.55, 2.2],
        [0.73, -0.7849999999999999, 0.84],
        [0.5309999999999999, 0.11050000000000014, -0.7520000000000003],
    ];
    assert_close(&run_reference(|p| Sgd::new(p, 0.1).momentum(0.9), 3), expected, RTOL, ATOL);
}

#[test]
fn sgd_momentum_dampening() {
    // torch: sgd lr=0.1 momentum=0.9 dampening=0.5
    let expected: &[[f64; 3]] = &[
        [0.9, -1.55, 2.2],
        [0.77, -0.9650000000000001, 1.1600000000000001],
        [0.626, -0.3170000000000001, 0.007999999999999943],
    ];
    assert_close(&run_reference(|p| Sgd::new(p, 0.1).momentum(0.9).dampening(0.5), 3), expected, RTOL, ATOL);
}

#[test]
fn sgd_nesterov() {
    // torch: sgd lr=0.1 momentum=0.9 nesterov
    let expected: &[[f64; 3]] = &[
        [0.81, -1.1449999999999998, 1.48],
        [0.6112000000000001, -0.2503999999999998, -0.1104000000000001],
        [0.44582400000000005, 0.4937920000000001, -1.4334080000000002],
    ];
    assert_close(&run_reference(|p| Sgd::new(p, 0.1).momentum(0.9).nesterov(true), 3), expected, RTOL, ATOL);
}

#[test]
fn sgd_weight_decay() {
    // torch: sgd lr=0.1 momentum=0.5 weight_decay=0.1
    let expected: &[[f64; 3]] = &[
        [0.89, -1.53, 2.17],
        [0.7481, -0.9237, 1.0992999999999997],
        [0.620049, -0.3765729999999999, 0.1330969999999997],
    ];
    assert_close(&run_reference(|p| Sgd::new(p, 0.1).momentum(0.5).weight_decay(0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn adam() {
    // torch: adam lr=0.1 eps=1e-8
    let expected: &[[f64; 3]] = &[
        [0.900000001, -1.9000000002222222, 2.900000000125],
        [0.8011874216591668, -1.8001442685259845, 2.800073995080272],
        [0.7048712525602996, -1.7005387267792513, 2.7002738443431915],
    ];
    assert_close(&run_reference(|p| Adam::new(p, 0.1).eps(1e-8), 3), expected, RTOL, ATOL);
}

#[test]
fn adam_amsgrad() {
    // torch: adam lr=0.5 betas=(0.9,0.5) amsgrad, 5 steps
    let expected: &[[f64; 3]] = &[
        [0.500000005, -1.5000000011111112, 2.500000000625],
        [0.20992885157897923, -0.9855686104784985, 1.991480200924821],
        [0.15382679113108197, -0.5074485763183608, 1.4826433107311603],
        [0.25047745934602456, -0.0926970068667276, 0.9992660991706481],
        [0.4095478144192838, 0.250581805461019, 0.5523812469063047],
    ];
    assert_close(&run_reference(|p| Adam::new(p, 0.5).betas(0.9, 0.5).amsgrad(true), 5), expected, RTOL, ATOL);
}

#[test]
fn adam_without_amsgrad_differs() {
    // torch: adam lr=0.5 betas=(0.9,0.5) no amsgrad, 5 steps
    let expected: &[[f64; 3]] = &[
        [0.500000005, -1.5000000011111112, 2.500000000625],
        [0.08977744785986902, -0.9855686104784985, 1.991480200924821],
        [0.09243083527842962, -0.44172942625385225, 1.467191207646501],
        [0.2471262412560073, 0.15391364907634875, 0.9176657668323829],
        [0.4814934370076773, 0.8130152586036593, 0.329175942418239],
    ];
    assert_close(&run_reference(|p| Adam::new(p, 0.5).betas(0.9, 0.5), 5), expected, RTOL, ATOL);
}

#[test]
fn adam_weight_decay() {
    // torch: adam lr=0.1 weight_decay=0.1
    let expected: &[[f64; 3]] = &[
        [0.9000000009090909, -1.900000000212766, 2.9000000001204818],
        [0.8010993763367427, -1.8001451942174251, 2.80007499679213],
        [0.7044825624693172, -1.7005422457840462, 2.700277588033042],
    ];
    assert_close(&run_reference(|p| Adam::new(p, 0.1).weight_decay(0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn adamw() {
    // torch: adamw lr=0.1 weight_decay=0.1
    let expected: &[[f64; 3]] = &[
        [0.890000001, -1.8800000002222221, 2.8700000001249997],
        [0.7824947390555376, -1.7613802847850655, 2.7413997423052496],
        [0.6790401710086295, -1.644259334346125, 2.6142548130042673],
    ];
    assert_close(&run_reference(|p| AdamW::new(p, 0.1).weight_decay(0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn rmsprop() {
    // torch: rmsprop lr=0.01
    let expected: &[[f64; 3]] = &[
        [0.9000000099999991, -1.9000000022222223, 2.90000000125],
        [0.8373391779574925, -1.8307329541366688, 2.830010354599014],
        [0.7904332263210434, -1.774857952138493, 2.7731733128378546],
    ];
    assert_close(&run_reference(|p| RmsProp::new(p, 0.01), 3), expected, RTOL, ATOL);
}

#[test]
fn rmsprop_centered() {
    // torch: rmsprop lr=0.01 centered
    let expected: &[[f64; 3]] = &[
        [0.8994962285750879, -1.8994962207187478, 2.899496219736705],
        [0.8362588350808807, -1.8295384059339608, 2.8288043823222147],
        [0.7887601073715383, -1.7728336061380643, 2.771114116384804],
    ];
    assert_close(&run_reference(|p| RmsProp::new(p, 0.01).centered(true), 3), expected, RTOL, ATOL);
}

#[test]
fn rmsprop_momentum() {
    // torch: rmsprop lr=0.01 momentum=0.9
    let expected: &[[f64; 3]] = &[
        [0.9000000099999991, -1.9000000022222223, 2.90000000125],
        [0.7473391869574917, -1.740732956136669, 2.740010355724014],
        [0.5736573255901082, -1.543213831818551, 2.540097113335939],
    ];
    assert_close(&run_reference(|p| RmsProp::new(p, 0.01).momentum(0.9), 3), expected, RTOL, ATOL);
}

#[test]
fn rmsprop_everything() {
    // torch: rmsprop lr=0.01 alpha=0.9 eps=1e-7 centered momentum=0.5 weight_decay=0.1
    let expected: &[[f64; 3]] = &[
        [0.9666666767676737, -1.9666666690307326, 2.9666666680053546],
        [0.9253208478480811, -1.9246914994228714, 2.924611933343126],
        [0.8838778136247065, -1.8815813830552843, 2.881296953912229],
    ];
    assert_close(
        &run_reference(
            |p| RmsProp::new(p, 0.01).alpha(0.9).eps(1e-7).centered(true).momentum(0.5).weight_decay(0.1),
            3,
        ),
        expected,
        RTOL,
        ATOL,
    );
}

#[test]
fn adagrad() {
    // torch: adagrad lr=0.1
    let expected: &[[f64; 3]] = &[
        [0.90000000001, -1.9000000000022221, 2.90000000000125],
        [0.8375304952584833, -1.8309142228486635, 2.8301899863889095],
        [0.79089917679625, -1.7753296251503767, 2.7736433299975727],
    ];
    assert_close(&run_reference(|p| Adagrad::new(p, 0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn adagrad_everything() {
    // torch: adagrad lr=0.1 lr_decay=0.1 weight_decay=0.1 initial_accumulator_value=0.1 eps=1e-7
    let expected: &[[f64; 3]] = &[
        [0.9038925621642316, -1.900225583276115, 2.9000725017563576],
        [0.8477701244173566, -1.8374991728691255, 2.8366418981736747],
        [0.808382670713683, -1.7911264614418254, 2.7894895758164666],
    ];
    assert_close(
        &run_reference(
            |p| Adagrad::new(p, 0.1).lr_decay(0.1).weight_decay(0.1).initial_accumulator_value(0.1).eps(1e-7),
            3,
        ),
        expected,
        RTOL,
        ATOL,
    );
}

#[test]
fn adamax() {
    // torch: adamax lr=0.1
    let expected: &[[f64; 3]] = &[
        [0.900000001, -1.9000000002222222, 2.900000000125],
        [0.8104367543322796, -1.802241423143519, 2.8012170067269966],
        [0.7309097544367643, -1.7067698635576867, 2.7036860923031365],
    ];
    assert_close(&run_reference(|p| Adamax::new(p, 0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn adamax_weight_decay() {
    // torch: adamax lr=0.1 weight_decay=0.1
    let expected: &[[f64; 3]] = &[
        [0.9000000009090909, -1.900000000212766, 2.9000000001204818],
        [0.8099578063308677, -1.8022538780335473, 2.801232875472016],
        [0.7295249185642281, -1.706807265554265, 2.7037339738679735],
    ];
    assert_close(&run_reference(|p| Adamax::new(p, 0.1).weight_decay(0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn nadam() {
    // torch: nadam lr=0.1
    let expected: &[[f64; 3]] = &[
        [0.894354823220913, -1.8943548223992281, 2.8943548222965174],
        [0.824670650640081, -1.8176773018065218, 2.8169222217252954],
        [0.7647270435820582, -1.746958508952147, 2.745079218160462],
    ];
    assert_close(&run_reference(|p| NAdam::new(p, 0.1), 3), expected, RTOL, ATOL);
}

#[test]
fn nadam_weight_decay() {
    // torch: nadam lr=0.1 weight_decay=0.1
    let expected: &[[f64; 3]] = &[
        [0.8943548231248719, -1.8943548223892381, 2.8943548222917443],
        [0.8242113863473371, -1.8176866321370557, 2.8169337342824137],
        [0.7635468689300376, -1.7469817934843759, 2.745107794440861],
    ];
    assert_close(&run_reference(|p| NAdam::new(p, 0.1).weight_decay(0.1), 3), expected, RTOL, ATOL);
}

// Lion (not in PyTorch), lr = 0.3, betas (0.9, 0.99), by hand. c = 0.9 m + 0.1 g decides the sign;
// every coordinate moves by exactly 0.3; m = 0.99 m + 0.01 g.
// step 1: g = 2 (p0 - target) = [1, -4.5, 8], m = 0, c = 0.1 g      -> p = [0.7, -1.7, 2.7]
//         m = [0.01, -0.045, 0.08]
// step 2: g = [0.4, -3.9, 7.4], c = [0.049, -0.4305, 0.812]          -> p = [0.4, -1.4, 2.4]
//         m = [0.0139, -0.08355, 0.1532]
// step 3: g = [-0.2, -3.3, 6.8], c0 = 0.01251 - 0.02 = -0.00749 < 0  -> p = [0.7, -1.1, 2.1]
#[test]
fn lion_by_hand() {
    let expected: &[[f64; 3]] = &[[0.7, -1.7, 2.7], [0.4, -1.4, 2.4], [0.7, -1.1, 2.1]];
    assert_close(&run_reference(|p| Lion::new(p, 0.3), 3), expected, RTOL, ATOL);
}

// Momentum outvotes a small opposite gradient: with m = 0.0139 (as after step 2 above) and
// g = -0.1, c = 0.9 * 0.0139 - 0.01 = 0.00251 > 0, so p keeps decreasing: 0.4 - 0.3.
#[test]
fn lion_momentum_outvotes_a_small_opposite_gradient() {
    let hp = kerosene_optim::LionParams { lr: 0.3, ..Default::default() };
    let (mut p, mut m) = (vec![0.4f64], vec![0.0139]);
    kerosene_optim::lion_update(&mut p, &[-0.1], &mut m, &hp);
    assert!((p[0] - 0.1).abs() < 1e-15);
}

// The same runs with f32 parameters: the rules compute in f32, so they agree with the f64 PyTorch
// numbers to f32 precision.
#[test]
fn f32_parameters_follow_the_same_rules() {
    let adam: &[[f64; 3]] = &[
        [0.900000001, -1.9000000002222222, 2.900000000125],
        [0.8011874216591668, -1.8001442685259845, 2.800073995080272],
        [0.7048712525602996, -1.7005387267792513, 2.7002738443431915],
    ];
    assert_close(&common::run_reference_f32(|p| Adam::new(p, 0.1).eps(1e-8), 3), adam, 1e-6, 1e-6);
    let rmsprop: &[[f64; 3]] = &[
        [0.8994962285750879, -1.8994962207187478, 2.899496219736705],
        [0.8362588350808807, -1.8295384059339608, 2.8288043823222147],
        [0.7887601073715383, -1.7728336061380643, 2.771114116384804],
    ];
    assert_close(&common::run_reference_f32(|p| RmsProp::new(p, 0.01).centered(true), 3), rmsprop, 1e-6, 1e-6);
}

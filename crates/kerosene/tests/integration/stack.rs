//! The crate stack is strict: each crate depends only on the crates below it
//! (tensor <- autograd <- nn, losses <- optim; datasets uses tensor only; the umbrella uses all).
//! Read from `cargo metadata`, so a new dependency that breaks the layering fails here.

use std::collections::BTreeMap;
use std::process::Command;

/// For each crate, the workspace crates it may depend on (normal and build dependencies).
fn allowed() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("kerosene-tensor", vec![]),
        ("kerosene-autograd", vec!["kerosene-tensor"]),
        ("kerosene-nn", vec!["kerosene-tensor", "kerosene-autograd"]),
        ("kerosene-losses", vec!["kerosene-tensor", "kerosene-autograd"]),
        ("kerosene-optim", vec!["kerosene-tensor", "kerosene-autograd"]),
        ("kerosene-datasets", vec!["kerosene-tensor"]),
        (
            "kerosene",
            vec![
                "kerosene-tensor",
                "kerosene-autograd",
                "kerosene-nn",
                "kerosene-losses",
                "kerosene-optim",
                "kerosene-datasets",
            ],
        ),
    ])
}

#[test]
fn no_crate_depends_on_one_above_it() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline", "--manifest-path", root])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let allowed = allowed();
    let packages = meta["packages"].as_array().expect("packages");
    let names: Vec<&str> = packages.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 7, "exactly the seven crates of the stack: {names:?}");
    for p in packages {
        let name = p["name"].as_str().unwrap();
        let ok = allowed.get(name).unwrap_or_else(|| panic!("unexpected workspace crate {name}"));
        for d in p["dependencies"].as_array().unwrap() {
            let dep = d["name"].as_str().unwrap();
            let kind = d["kind"].as_str();
            // Dev-dependencies (tests, benches) may reach up; the library may not.
            if dep.starts_with("kerosene") && kind != Some("dev") {
                assert!(ok.contains(&dep), "{name} depends on {dep}, which is not below it in the stack");
            }
        }
    }
}

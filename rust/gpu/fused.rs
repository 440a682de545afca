//! The fused optimizer kernel's bindings (shaders/update.wgsl; `update.rs` records it): how many weights one
//! dispatch updates, which of their bindings are written, and the generated WGSL that declares them. Apart
//! from `kernels.rs`, which compiles it, and `update.rs`, which records it, so neither imports the other.

/// Weights per dispatch of the fused update (the Params block has room for 8 lengths; 6 keeps the 30 storage
/// bindings within what lavapipe allows, which is fewer than 40, and the gpu-large network's 6 weights in
/// one dispatch).
pub(crate) const TENSORS: usize = 6;
const _: () = assert!(TENSORS <= 8);

/// The fused update's storage bindings: per weight `w` (written), `g` (read), slots `a`, `b`, `c` (written).
pub(crate) const FUSED_ACCESS: [bool; 5 * TENSORS] = {
    let mut a = [true; 5 * TENSORS];
    let mut t = 0;
    while t < TENSORS {
        a[5 * t + 1] = false;
        t += 1;
    }
    a
};

/// The WGSL that goes before shaders/update.wgsl: each weight's bindings and accessor, and `step`.
pub(crate) fn fused_prelude() -> String {
    let mut s = format!("const TENSORS: u32 = {TENSORS}u;\n");
    let mut cases = String::new();
    for t in 0..TENSORS {
        let at = 5 * t + 1;
        for (j, (name, access)) in ["w", "g", "a", "b", "c"].iter().zip(&FUSED_ACCESS[5 * t..]).enumerate() {
            let access = if *access { "read_write" } else { "read" };
            s += &format!("@group(0) @binding({}) var<storage, {access}> {name}{t}: array<f32>;\n", at + j);
        }
        s += &format!(
            "fn step_{t}(i: u32) {{\n    var v = Vals(w{t}[i], 0.0, 0.0, 0.0);\n    if USE_A {{ v.a = a{t}[i]; }}\n    \
             if USE_B {{ v.b = b{t}[i]; }}\n    if USE_C {{ v.c = c{t}[i]; }}\n    let x = update(g{t}[i], v, {t}u);\n    \
             w{t}[i] = x.w;\n    if USE_A {{ a{t}[i] = x.a; }}\n    if USE_B {{ b{t}[i] = x.b; }}\n    \
             if USE_C {{ c{t}[i] = x.c; }}\n}}\n"
        );
        cases += &format!("        case {t}u: {{ step_{t}(i); }}\n");
    }
    s + &format!("fn step(t: u32, i: u32) {{\n    switch t {{\n{cases}        default: {{}}\n    }}\n}}\n")
}

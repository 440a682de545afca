//! The WGSL source of the GEMM family (gemm.wgsl, gemv.wgsl, gemm_reduce.wgsl, all ending in gemm_epi.wgsl's
//! epilogue): each variant's constants and operand bindings, and the tiled kernel's inner loop written out
//! in full for its tile (the multiply-adds of a K-slice into named vec4 accumulators, so they stay in
//! registers and the compiler has no loop or array index to keep).

use std::fmt::Write as _;

const COMMON: &str = include_str!("shaders/common.wgsl");
const EPI: &str = include_str!("shaders/gemm_epi.wgsl");
const GEMM: &str = include_str!("shaders/gemm.wgsl");
const GEMV: &str = include_str!("shaders/gemv.wgsl");
const REDUCE: &str = include_str!("shaders/gemm_reduce.wgsl");

/// Declarations of read-only storage binding `binding` as `name` with its loaders `g{name}4(i)` (the four
/// values from index i) and `g{name}1(i)`: as an array of vec4 when `vec` (then i is a multiple of 4), else of
/// f32.
fn operand(name: &str, binding: u32, vec: bool) -> String {
    if vec {
        format!(
            "@group(0) @binding({binding}) var<storage, read> {name}: array<vec4<f32>>;\n\
             fn g{name}4(i: u32) -> vec4<f32> {{ return {name}[i >> 2u]; }}\n\
             fn g{name}1(i: u32) -> f32 {{ return {name}[i >> 2u][i & 3u]; }}\n"
        )
    } else {
        format!(
            "@group(0) @binding({binding}) var<storage, read> {name}: array<f32>;\n\
             fn g{name}4(i: u32) -> vec4<f32> {{ return vec4<f32>({name}[i], {name}[i + 1u], {name}[i + 2u], \
             {name}[i + 3u]); }}\n\
             fn g{name}1(i: u32) -> f32 {{ return {name}[i]; }}\n"
        )
    }
}

fn header(vec: bool) -> String {
    format!("{COMMON}\n{EPI}\nconst VEC: bool = {vec};\n")
}

const LANES: [char; 4] = ['x', 'y', 'z', 'w'];

/// The tiled kernel for `tile`×`tile` outputs per workgroup over K-slices of `bk` (vec4 loads when `vec`).
pub(crate) fn tiled(tile: u32, bk: u32, vec: bool) -> String {
    // vec4 groups per thread along each dimension, and rows (columns) per thread.
    let groups = tile / 64;
    let per = tile / 16;
    let t4 = tile / 4;
    let mut acc = String::new();
    for i in 0..per {
        for j in 0..groups {
            let _ = writeln!(acc, "    var c{i}_{j} = vec4<f32>(0.0);");
        }
    }
    let mut compute = String::new();
    for kk in 0..bk {
        let s = (kk / 4) * (32 / bk);
        let _ = writeln!(compute, "        {{");
        let _ = writeln!(compute, "            let o = ab + {}u;", kk * t4);
        for g in 0..groups {
            let _ = writeln!(compute, "            let a{g} = As[o + (({}u + ty) ^ {s}u)];", g * 16);
            let _ = writeln!(compute, "            let b{g} = Bs[o + (({}u + tx) ^ {s}u)];", g * 16);
        }
        for i in 0..per {
            let a = format!("a{}.{}", i / 4, LANES[(i % 4) as usize]);
            for j in 0..groups {
                let _ = writeln!(compute, "            c{i}_{j} = fma(vec4<f32>({a}), b{j}, c{i}_{j});");
            }
        }
        let _ = writeln!(compute, "        }}");
    }
    let mut store = String::new();
    for i in 0..per {
        let row = (i / 4) * 64 + i % 4;
        for j in 0..groups {
            let _ = writeln!(store, "    put(row0 + {row}u + 4u * ty, col0 + {}u + 4u * tx, c{i}_{j}, wid.z);", j * 64);
        }
    }
    let body =
        GEMM.replace("    //@ACC\n", &acc).replace("        //@COMPUTE\n", &compute).replace("    //@STORE\n", &store);
    format!(
        "{}const TILE: u32 = {tile}u;\nconst BK: u32 = {bk}u;\n{}{}{body}",
        header(vec),
        operand("a", 1, vec),
        operand("b", 2, vec)
    )
}

/// The matrix-vector kernel (vec4 loads of the matrix when `vec`).
pub(crate) fn gemv(vec: bool) -> String {
    format!("{}{}{GEMV}", header(vec), operand("a", 1, vec))
}

/// The split-K reduction.
pub(crate) fn reduce() -> String {
    format!("{}{REDUCE}", header(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        for (tile, bk) in [(64, 16), (128, 8)] {
            for vec in [false, true] {
                let src = tiled(tile, bk, vec);
                for mark in ["//@ACC", "//@COMPUTE", "//@STORE"] {
                    assert!(!src.contains(mark), "{tile}/{bk}/{vec}: {mark}");
                }
                // PER × PER values per thread: (tile/16)² / 4 vec4 accumulators, each updated once per depth.
                let per = tile / 16;
                let fmas = src.matches("= fma(vec4<f32>(a").count() as u32;
                assert_eq!(fmas, bk * per * per / 4, "{tile}/{bk}");
            }
        }
    }
}

//! Tiled GEMM `C = op(A)·op(B)` (M×K by K×N) with a fused epilogue.
//! EPI = 0: `z = C + bias`, `pre = z` (when STORE_PRE), `out = f(z)` (forward Dense).
//! EPI = 1: `out = C · f'(aux_z, aux_y)` (backward: dX of one Dense times the previous layer's activation
//! derivative). op(A) = Aᵀ when TRANS_A (A stored K×M), op(B) = Bᵀ when TRANS_B (B stored N×K).
//! Each 16×16 workgroup computes a TILE×TILE tile of C, each thread PER×PER values strided by 16, over
//! K-slices of BK staged in workgroup memory. TILE and BK are not declared here: kernels.rs prepends them per
//! variant (`K::Gemm`: 64 and 16; `K::GemmWide`, for large outputs: 128 and 8, more reuse of each staged
//! value per load). TILE must be a multiple of 16 and TILE·BK of 256.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override BIAS: bool = false;
override STORE_PRE: bool = false;
override ACT: u32 = 0u;
override EPI: u32 = 0u;

struct Params {
    m: u32,
    n: u32,
    k: u32,
    act_param: f32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> aux_z: array<f32>;
@group(0) @binding(5) var<storage, read> aux_y: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> pre: array<f32>;

const BM: u32 = TILE;
const BN: u32 = TILE;
// Values per thread along each of C's dimensions.
const PER: u32 = TILE / 16u;
// Staged values of each operand per thread and K-slice.
const LOADS: u32 = TILE * BK / 256u;

var<workgroup> As: array<f32, BK * BM>; // [BK][BM]
var<workgroup> Bs: array<f32, BK * BN>; // [BK][BN]

fn load_a(row: u32, kk: u32) -> f32 {
    if row >= prm.m || kk >= prm.k {
        return 0.0;
    }
    if TRANS_A {
        return a[kk * prm.m + row];
    }
    return a[row * prm.k + kk];
}

fn load_b(kk: u32, col: u32) -> f32 {
    if kk >= prm.k || col >= prm.n {
        return 0.0;
    }
    if TRANS_B {
        return b[col * prm.k + kk];
    }
    return b[kk * prm.n + col];
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let tx = lid.x;
    let ty = lid.y;
    let tid = ty * 16u + tx;
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;
    var acc: array<array<f32, PER>, PER>;
    for (var i = 0u; i < PER; i++) {
        for (var j = 0u; j < PER; j++) {
            acc[i][j] = 0.0;
        }
    }
    for (var k0 = 0u; k0 < prm.k; k0 += BK) {
        // Stage A's BM×BK slice and B's BK×BN slice; consecutive threads read consecutive addresses.
        for (var l = 0u; l < LOADS; l++) {
            let e = tid + l * 256u;
            if TRANS_A {
                let r = e % BM;
                let kk = e / BM;
                As[kk * BM + r] = load_a(row0 + r, k0 + kk);
            } else {
                let kk = e % BK;
                let r = e / BK;
                As[kk * BM + r] = load_a(row0 + r, k0 + kk);
            }
            if TRANS_B {
                let kk = e % BK;
                let c = e / BK;
                Bs[kk * BN + c] = load_b(k0 + kk, col0 + c);
            } else {
                let c = e % BN;
                let kk = e / BN;
                Bs[kk * BN + c] = load_b(k0 + kk, col0 + c);
            }
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk++) {
            var av: array<f32, PER>;
            var bv: array<f32, PER>;
            for (var i = 0u; i < PER; i++) {
                av[i] = As[kk * BM + ty + 16u * i];
                bv[i] = Bs[kk * BN + tx + 16u * i];
            }
            for (var i = 0u; i < PER; i++) {
                for (var j = 0u; j < PER; j++) {
                    acc[i][j] = fma(av[i], bv[j], acc[i][j]);
                }
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < PER; i++) {
        let r = row0 + ty + 16u * i;
        if r >= prm.m {
            continue;
        }
        for (var j = 0u; j < PER; j++) {
            let c = col0 + tx + 16u * j;
            if c >= prm.n {
                continue;
            }
            let idx = r * prm.n + c;
            if EPI == 1u {
                out[idx] = act_b(ACT, aux_z[idx], aux_y[idx], acc[i][j], prm.act_param);
            } else {
                var z = acc[i][j];
                if BIAS {
                    z = z + bias[c];
                }
                if STORE_PRE {
                    pre[idx] = z;
                }
                out[idx] = act_f(ACT, z, prm.act_param);
            }
        }
    }
}

//! Tiled GEMM `C = op(A)·op(B)` (M×K by K×N) with the fused epilogue of gemm_epi.wgsl. op(A) = Aᵀ when TRANS_A
//! (A stored K×M), op(B) = Bᵀ when TRANS_B (B stored N×K).
//!
//! gemm_src.rs prepends `TILE`, `BK` and `VEC` and the operand bindings `a`, `b` with their loaders (vec4
//! loads when VEC: each operand's contiguous dimension is a multiple of 4), and fills in the `//@` lines with
//! the unrolled inner loop and the stores. 256 threads compute a TILE×TILE tile of C, each thread PER×PER
//! values (PER = TILE/16): rows `64g + 4·ty + i` and columns `64g + 4·tx + j` (g < TILE/64, i, j < 4), so
//! every workgroup-memory read is a whole vec4.
//!
//! K is walked in slices of BK held in workgroup memory, double-buffered: while the threads multiply slice s
//! they hold slice s+1 in registers (loaded from global memory before the multiply, so the loads are in
//! flight meanwhile) and stage it into the other buffer afterwards: one barrier per slice.
//!
//! Workgroup layout: each operand's slice as [BK][TILE/4] vec4s (A's along M, B's along N), the vec4 column
//! XOR-swizzled by `sw(k)` so that the transposed stores (A not transposed, or B transposed: four values of
//! one row at four depths) of a warp's 32 threads land in 32 distinct banks; the reads (a broadcast for A,
//! 16 consecutive vec4s for B) stay conflict-free since the XOR permutes vec4s within aligned groups of 8.
//!
//! Split-K: workgroup z covers depths [z·kc, min(k, (z+1)·kc)) and, with EPI = 2, writes its partial product.
//!
//! Every global access is guarded by the bounds m, n, k (the loaders return zeros outside), and every
//! workgroup index is below 2·BK·TILE/4 by construction, so the module is built without runtime checks.

override TRANS_A: bool = false;
override TRANS_B: bool = false;

struct Params {
    m: u32,
    n: u32,
    k: u32,
    act_param: f32,
    // Depth of each split-K part (a multiple of BK; k when not split).
    kc: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;

const T4: u32 = TILE / 4u;
// vec4s of one operand's slice.
const SLICE: u32 = BK * T4;
// Threads per row of a slice staged along K (each loads 4 depths).
const KQ: u32 = BK / 4u;

var<workgroup> As: array<vec4<f32>, 2u * SLICE>;
var<workgroup> Bs: array<vec4<f32>, 2u * SLICE>;

// The swizzle of depth kk: a warp's transposed stores cover 32 / BK vec4 columns at each of BK / 4 groups of
// four depths; XOR-ing group q's columns with q · 32 / BK spreads the groups over the 8 bank quads.
fn sw(kk: u32) -> u32 {
    return (kk / 4u) * (32u / BK);
}

// Four values of op(A) from row r, depth kk, along A's contiguous dimension (rows when TRANS_A, depths
// otherwise); zero outside the m × k matrix.
fn load_a(r: u32, kk: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if r >= prm.m || kk >= prm.k {
        return v;
    }
    if TRANS_A {
        let i = kk * prm.m + r;
        // With VEC, m is a multiple of 4 and so is r: the whole vec4 is inside.
        if VEC || r + 3u < prm.m {
            return ga4(i);
        }
        for (var q = 0u; q < 4u; q++) {
            if r + q < prm.m {
                v[q] = ga1(i + q);
            }
        }
    } else {
        let i = r * prm.k + kk;
        if VEC || kk + 3u < prm.k {
            return ga4(i);
        }
        for (var q = 0u; q < 4u; q++) {
            if kk + q < prm.k {
                v[q] = ga1(i + q);
            }
        }
    }
    return v;
}

// Four values of op(B) from depth kk, column c, along B's contiguous dimension (depths when TRANS_B, columns
// otherwise); zero outside the k × n matrix.
fn load_b(kk: u32, c: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if c >= prm.n || kk >= prm.k {
        return v;
    }
    if TRANS_B {
        let i = c * prm.k + kk;
        if VEC || kk + 3u < prm.k {
            return gb4(i);
        }
        for (var q = 0u; q < 4u; q++) {
            if kk + q < prm.k {
                v[q] = gb1(i + q);
            }
        }
    } else {
        let i = kk * prm.n + c;
        if VEC || c + 3u < prm.n {
            return gb4(i);
        }
        for (var q = 0u; q < 4u; q++) {
            if c + q < prm.n {
                v[q] = gb1(i + q);
            }
        }
    }
    return v;
}

// Thread t's vec4 of A's slice at depth k0: along M (TILE/4 threads per depth) when A is stored K×M, else
// along K (KQ threads per row); consecutive threads read consecutive addresses either way.
fn fetch_a(row0: u32, k0: u32, t: u32) -> vec4<f32> {
    if TRANS_A {
        return load_a(row0 + (t % T4) * 4u, k0 + t / T4);
    }
    return load_a(row0 + t / KQ, k0 + (t % KQ) * 4u);
}

fn fetch_b(col0: u32, k0: u32, t: u32) -> vec4<f32> {
    if TRANS_B {
        return load_b(k0 + (t % KQ) * 4u, col0 + t / KQ);
    }
    return load_b(k0 + t / T4, col0 + (t % T4) * 4u);
}

// Store thread t's fetched vec4 into buffer `buf` of A's slice: whole when it lies along M, else its four
// depths into component r % 4 of four rows.
fn stage_a(buf: u32, t: u32, v: vec4<f32>) {
    let base = buf * SLICE;
    if TRANS_A {
        let kk = t / T4;
        As[base + kk * T4 + ((t % T4) ^ sw(kk))] = v;
    } else {
        let r = t / KQ;
        let kk = (t % KQ) * 4u;
        let at = base + kk * T4 + ((r / 4u) ^ sw(kk));
        let comp = r % 4u;
        As[at][comp] = v.x;
        As[at + T4][comp] = v.y;
        As[at + 2u * T4][comp] = v.z;
        As[at + 3u * T4][comp] = v.w;
    }
}

fn stage_b(buf: u32, t: u32, v: vec4<f32>) {
    let base = buf * SLICE;
    if TRANS_B {
        let c = t / KQ;
        let kk = (t % KQ) * 4u;
        let at = base + kk * T4 + ((c / 4u) ^ sw(kk));
        let comp = c % 4u;
        Bs[at][comp] = v.x;
        Bs[at + T4][comp] = v.y;
        Bs[at + 2u * T4][comp] = v.z;
        Bs[at + 3u * T4][comp] = v.w;
    } else {
        let kk = t / T4;
        Bs[base + kk * T4 + ((t % T4) ^ sw(kk))] = v;
    }
}

// Store four consecutive values of row r from column c.
fn put(r: u32, c: u32, v: vec4<f32>, z: u32) {
    if r >= prm.m {
        return;
    }
    let len = prm.m * prm.n;
    for (var q = 0u; q < 4u; q++) {
        let cq = c + q;
        if cq < prm.n {
            finish(r * prm.n + cq, cq, v[q], z, len, prm.act_param);
        }
    }
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let tx = t % 16u;
    let ty = t / 16u;
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let kbeg = wid.z * prm.kc;
    let kend = max(kbeg, min(prm.k, kbeg + prm.kc));
    let slices = (kend - kbeg + BK - 1u) / BK;
    //@ACC
    var ra = fetch_a(row0, kbeg, t);
    var rb = fetch_b(col0, kbeg, t);
    stage_a(0u, t, ra);
    stage_b(0u, t, rb);
    workgroupBarrier();
    for (var s = 0u; s < slices; s++) {
        let cur = s & 1u;
        let more = s + 1u < slices;
        if more {
            ra = fetch_a(row0, kbeg + (s + 1u) * BK, t);
            rb = fetch_b(col0, kbeg + (s + 1u) * BK, t);
        }
        let ab = cur * SLICE;
        //@COMPUTE
        if more {
            stage_a(cur ^ 1u, t, ra);
            stage_b(cur ^ 1u, t, rb);
        }
        workgroupBarrier();
    }
    //@STORE
}

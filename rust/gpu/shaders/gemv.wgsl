//! Matrix-vector product for the products with one output column or row (N = 1, or M = 1 read transposed):
//! `y[i] = Σ_k Mat[i, k] · v[k]` over `len` outputs, with the fused epilogue of gemm_epi.wgsl (output `i` is
//! in column `i mod n`). gemm_src.rs prepends `VEC` and the matrix binding `a` with its loaders (vec4 loads
//! when VEC: the matrix's contiguous dimension is a multiple of 4).
//!
//! COL = false, the matrix stored len × k (contiguous along k): 8 outputs per workgroup, 32 threads each
//! reading 4 consecutive depths 128 apart, then a tree sum over the 32 in workgroup memory.
//! COL = true, the matrix stored k × len (contiguous along the outputs): 256 outputs per workgroup, each
//! thread 4 consecutive outputs over every 4th depth, then the 4 depth lanes summed in order.
//!
//! Split-K: workgroup z covers depths [z·kc, min(k, (z+1)·kc)) and, with EPI = 2, writes its partial sums.
//! Every sum is taken in a fixed order, so results repeat exactly from run to run.
//!
//! Every global access is guarded by len and k (and, with VEC, len or k is a multiple of 4 and so is each
//! vec4's first index), and the workgroup indices are below 256 by construction, so the module is built
//! without runtime checks.

override COL: bool = false;

struct Params {
    len: u32,
    k: u32,
    // The output's width: the bias of output i is bias[i mod n].
    n: u32,
    act_param: f32,
    // Depth of each split-K part (a multiple of 4; k when not split).
    kc: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> vv: array<f32>;

var<workgroup> red: array<vec4<f32>, 256>;

fn rows(g: u32, z: u32, t: u32, kbeg: u32, kend: u32) {
    let lane = t % 32u;
    let i = g * 8u + t / 32u;
    var acc = vec4<f32>(0.0);
    if i < prm.len {
        for (var kb = kbeg + lane * 4u; kb < kend; kb += 128u) {
            let at = i * prm.k + kb;
            // With VEC, k, kc and kb are multiples of 4: the vec4 ends at or before kend.
            if VEC || kb + 3u < kend {
                acc = fma(ga4(at), vec4<f32>(vv[kb], vv[kb + 1u], vv[kb + 2u], vv[kb + 3u]), acc);
            } else {
                for (var q = 0u; q < 4u; q++) {
                    if kb + q < kend {
                        acc[q] = fma(ga1(at + q), vv[kb + q], acc[q]);
                    }
                }
            }
        }
    }
    red[t] = vec4<f32>((acc.x + acc.y) + (acc.z + acc.w), 0.0, 0.0, 0.0);
    for (var h = 16u; h > 0u; h = h / 2u) {
        workgroupBarrier();
        if lane < h {
            red[t].x = red[t].x + red[t + h].x;
        }
    }
    workgroupBarrier();
    if lane == 0u && i < prm.len {
        finish(i, i % prm.n, red[t].x, z, prm.len, prm.act_param);
    }
}

fn cols(g: u32, z: u32, t: u32, kbeg: u32, kend: u32) {
    let q4 = t % 64u;
    let lane = t / 64u;
    let c = (g * 64u + q4) * 4u;
    var acc = vec4<f32>(0.0);
    if c < prm.len {
        for (var kk = kbeg + lane; kk < kend; kk += 4u) {
            let at = kk * prm.len + c;
            let x = vv[kk];
            // With VEC, len is a multiple of 4 and so is c: the whole vec4 is inside.
            if VEC || c + 3u < prm.len {
                acc = fma(ga4(at), vec4<f32>(x), acc);
            } else {
                for (var q = 0u; q < 4u; q++) {
                    if c + q < prm.len {
                        acc[q] = fma(ga1(at + q), x, acc[q]);
                    }
                }
            }
        }
    }
    red[t] = acc;
    workgroupBarrier();
    if lane == 0u {
        let s = ((red[q4] + red[64u + q4]) + red[128u + q4]) + red[192u + q4];
        for (var q = 0u; q < 4u; q++) {
            if c + q < prm.len {
                finish(c + q, (c + q) % prm.n, s[q], z, prm.len, prm.act_param);
            }
        }
    }
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let g = group_index(wid, nwg);
    let kbeg = wid.z * prm.kc;
    let kend = max(kbeg, min(prm.k, kbeg + prm.kc));
    if COL {
        cols(g, wid.z, t, kbeg, kend);
    } else {
        rows(g, wid.z, t, kbeg, kend);
    }
}

// Shared by the GEMM family (gemm.wgsl, gemv.wgsl, gemm_reduce.wgsl): the fused epilogue and the bindings it
// reads and writes. Binding 1 and 2 (the operands) are declared by each kernel.
override BIAS: bool = false;
override STORE_PRE: bool = false;
override ACT: u32 = 0u;
// 0: forward, `z = v + bias`, `pre = z` (when STORE_PRE), `out = f(z)`. 1: backward, `out = v · f'(aux_z, aux_y)`
// (dX of one Dense times the previous layer's activation derivative). 2: one split-K part, stored raw at
// `out[z·len + idx]`; gemm_reduce.wgsl sums the parts and applies 0 or 1.
override EPI: u32 = 0u;

@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> aux_z: array<f32>;
@group(0) @binding(5) var<storage, read> aux_y: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> pre: array<f32>;

// Store value `v` of output element `idx` (column `c`) of an output of `len` values; `z` is the split-K part.
// The caller has checked idx < len (and the host, that every bound buffer holds len values, or split·len for
// the parts and the output's width for the bias).
fn finish(idx: u32, c: u32, v: f32, z: u32, len: u32, act_param: f32) {
    if EPI == 2u {
        out[z * len + idx] = v;
        return;
    }
    if EPI == 1u {
        out[idx] = act_b(ACT, aux_z[idx], aux_y[idx], v, act_param);
        return;
    }
    var zv = v;
    if BIAS {
        zv = zv + bias[c];
    }
    if STORE_PRE {
        pre[idx] = zv;
    }
    out[idx] = act_f(ACT, zv, act_param);
}

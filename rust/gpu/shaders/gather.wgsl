//! Row gather for a batch: row r of the batch is data row `perm[stp.start + r]` (or `stp.start + r` when
//! IDENTITY). The data set lives in shards (buffers of `shard_rows` rows starting at `shard_first`); each
//! dispatch copies the batch rows that fall in its shard, inputs to `x_out` and targets to `y_out`.

override IDENTITY: bool = false;

struct Params {
    rows: u32,
    iw: u32,
    ow: u32,
    shard_first: u32,
    shard_rows: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> perm: array<u32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> ys: array<f32>;
@group(0) @binding(4) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> y_out: array<f32>;

fn source_row(r: u32) -> u32 {
    if IDENTITY {
        return stp.start + r;
    }
    return perm[stp.start + r];
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let e = group_index(wid, nwg) * 256u + li;
    let nx = prm.rows * prm.iw;
    if e < nx {
        let r = e / prm.iw;
        let src = source_row(r);
        if src >= prm.shard_first && src - prm.shard_first < prm.shard_rows {
            x_out[e] = xs[(src - prm.shard_first) * prm.iw + e % prm.iw];
        }
        return;
    }
    let f = e - nx;
    if f < prm.rows * prm.ow {
        let r = f / prm.ow;
        let src = source_row(r);
        if src >= prm.shard_first && src - prm.shard_first < prm.shard_rows {
            y_out[f] = ys[(src - prm.shard_first) * prm.ow + f % prm.ow];
        }
    }
}

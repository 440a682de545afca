//! The GPU backend's stand-in for a build without the `gpu` feature: the same names, no adapter, and a clear
//! error where a GPU is asked for. No value of `GpuModel` can exist, so its methods are never reached.

use std::convert::Infallible;
use std::sync::atomic::AtomicBool;

use crate::backend::{Compiled, Data, FitOptions, HostSync, Session};
use crate::error::{Error, Result};
use crate::hooks::Evaluation;
use crate::network::Network;

/// Whether this build has the GPU backend.
pub const BUILT: bool = false;

pub use crate::backend::AdapterInfo;

/// A training step's cost on the device (see the GPU backend's `profile.rs`): never made in this build.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuProfile {
    pub dispatches: usize,
    pub barriers: usize,
    pub needed: usize,
    pub false_barriers: usize,
    pub pipelines: usize,
    pub kernels: Option<Vec<(String, f64)>>,
}

/// No adapters: this build has no GPU backend.
pub fn list_adapters() -> Vec<AdapterInfo> {
    Vec::new()
}

/// A model on a GPU: never made in this build.
#[derive(Debug)]
pub struct GpuModel(Infallible);

impl GpuModel {
    /// Always the error saying how this build was made.
    pub fn new(_: &Network, _: Option<&Compiled>, _: bool) -> Result<Self> {
        Err(Error::Backend("This keras_lite build has no GPU backend (it was built without the 'gpu' feature).".into()))
    }

    /// Never reached.
    pub fn adapter(&self) -> AdapterInfo {
        match self.0 {}
    }

    /// Never reached.
    pub fn forked(&self) -> bool {
        match self.0 {}
    }

    /// Never reached.
    pub fn upload(&mut self, _: &Network, _: Option<&Compiled>) -> Result<()> {
        match self.0 {}
    }

    /// Never reached.
    pub fn download(&self, _: &mut Network, _: Option<&mut Compiled>) -> Result<()> {
        match self.0 {}
    }

    /// Never reached.
    pub fn session<'a>(
        &'a mut self,
        _: Data<'_>,
        _: Option<Data<'_>>,
        _: FitOptions,
        _: bool,
        _: &'a mut dyn HostSync,
    ) -> Result<Box<dyn Session + 'a>> {
        match self.0 {}
    }

    /// Never reached.
    pub fn stream_session<'a>(&'a mut self, _: FitOptions, _: &'a mut dyn HostSync) -> Result<Box<dyn Session + 'a>> {
        match self.0 {}
    }

    /// Never reached.
    pub fn profile(&mut self, _: &Network, _: Option<&Compiled>, _: Data<'_>, _: usize) -> Result<GpuProfile> {
        match self.0 {}
    }

    /// Never reached.
    pub fn predict(&self, _: &[f32], _: usize, _: &mut [f32], _: &AtomicBool) -> Result<()> {
        match self.0 {}
    }

    /// Never reached.
    pub fn evaluate(&self, _: Data<'_>, _: usize, _: &AtomicBool, _: bool) -> Result<Evaluation> {
        match self.0 {}
    }
}

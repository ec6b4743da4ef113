//! iamsynth's AWS knowledge: the catalog, facts to actions and resources, the policy
//! model, renderers, and the `iamsynth` command line.
//!
//! Data flow: [`generate`] asks the analyzer for each function's call facts, [`resolve`]
//! turns them into actions and resources through the [`catalog`], [`policy`] builds the
//! canonical document, and [`render`] writes it in the format asked for by [`cli`].

pub mod catalog;
pub mod cli;
pub mod diff;
pub mod generate;
pub mod platform;
pub mod policy;
pub mod render;
pub mod resolve;
pub mod trail;

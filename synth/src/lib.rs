//! iamsynth's AWS knowledge: the catalog, facts to actions and resources, the policy
//! model, renderers, and the `iamsynth` command line.

pub mod catalog;
pub mod policy;

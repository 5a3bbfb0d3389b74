//! Kubernetes objects on top of the spanned tree: identity, and typed views that checks share.

mod kinds;
mod pod;
pub mod rbac;
mod resource;
mod selector;

pub use kinds::{is_cluster_scoped, is_kustomize_kind};
pub use pod::{Container, ContainerKind, PodSpec};
pub use resource::{resources_of, ObjectRef, Resource};
pub use selector::{Label, Labels, Operator, Requirement, Selector, SelectorError};

//! Kubernetes objects on top of the spanned tree: identity, typed views that checks share, and
//! the rule book (`pod_risks`, `rbac_risks`): what makes a pod or an RBAC rule dangerous,
//! written once for the per-object checks and the cross-resource ones.

mod kinds;
mod object_path;
mod pod;
pub(crate) mod pod_risks;
pub(crate) mod rbac;
pub(crate) mod rbac_risks;
mod resource;
pub(crate) mod schema;
mod selector;

pub use kinds::{is_cluster_scoped, is_kustomize_kind, is_workload_kind};
pub use object_path::object_path;
pub use pod::{Container, ContainerKind, PodSpec};
pub use resource::{resources_of, ObjectRef, Resource};
pub use selector::{Label, Labels, Operator, Requirement, Selector, SelectorError};

#[cfg(test)]
pub(crate) mod testing;

//! The pipeline every front end runs: [`load`](load::load_with) the inputs into a
//! [`Workspace`](crate::workspace::Workspace), [`lint`](lint::lint) it, and
//! [`fix`](fix::fix_workspace) what can be fixed (in memory, or written with
//! [`fix_and_write`](fix::fix_and_write)). The command line calls it; so do the tests, and a
//! language server will, over its unsaved buffers ([`Inputs::overlays`](crate::Inputs)).
//! What a run reports can then be narrowed: [`baseline`] drops the findings a baseline file
//! records, [`scope`] keeps the findings about some files only (`--changed-since`, `--context`).

pub(crate) mod baseline;
pub(crate) mod fix;
pub(crate) mod lint;
pub(crate) mod live;
pub(crate) mod load;
pub(crate) mod scope;

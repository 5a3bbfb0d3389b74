//! Check parameters: `[checks.<id>]` in `.k8sec.toml`.
//!
//! Each check with parameters declares their struct next to its code (with their defaults and
//! the TOML shape, `#[derive(Deserialize)]`) and reads its table through its registry line
//! ([`super::CHECKS`]); [`Params`] holds one value of each, so a check reads its own with
//! `ctx.params.<check>`. The configuration file only finds the table and hands it over, so a
//! bad key or value is still an error that points at its line.

use serde::de::DeserializeOwned;
use toml::de::{Error, ValueDeserializer};

use super::{hardening, restricted, secrets};

/// The parameters of every check that has some, each defaulted until `[checks.<id>]` sets it.
#[derive(Clone, Debug, Default)]
pub struct Params {
    pub(crate) added_capabilities: restricted::AddedCapabilities,
    pub(crate) run_as_root: restricted::RunAsRoot,
    pub(crate) secret_in_configmap: secrets::NamePatterns,
    pub(crate) secret_in_env: secrets::NamePatterns,
    pub(crate) sensitive_host_mount: hardening::SensitiveHostMount,
}

/// Reads a check's `[checks.<id>]` table into its field of [`Params`]. Errors carry the span
/// of the offending key or value, for the configuration file to show.
pub(crate) type ReadParams = fn(ValueDeserializer<'_>, &mut Params) -> Result<(), Error>;

/// Replaces `slot` with the parameters `table` holds: what a registry line's [`ReadParams`]
/// does with the check's field.
pub(crate) fn read<T: DeserializeOwned>(
    table: ValueDeserializer<'_>,
    slot: &mut T,
) -> Result<(), Error> {
    *slot = T::deserialize(table)?;
    Ok(())
}

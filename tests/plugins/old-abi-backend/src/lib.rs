//! A plugin that declares itself an entiflow backend but was built for plugin ABI 0.0.1, with a
//! root module of another shape. The host must refuse it at load time, naming the file and the
//! expected and found versions, without calling into it.

use abi_stable::library::RootModule;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::RString;
use abi_stable::{declare_root_module_statics, export_root_module, StableAbi};
use runtime_common::plugin::BackendModRef;

/// The root module as an older ABI had it.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = OldBackendModRef)))]
pub struct OldBackendMod {
    /// The description, as text.
    #[sabi(last_prefix_field)]
    pub describe: extern "C" fn() -> RString,
}

impl RootModule for OldBackendModRef {
    declare_root_module_statics! {OldBackendModRef}
    const BASE_NAME: &'static str = <BackendModRef as RootModule>::BASE_NAME;
    const NAME: &'static str = <BackendModRef as RootModule>::NAME;
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("0.0.1");
}

extern "C" fn describe() -> RString {
    RString::from(r#"{"name": "old-abi", "version": "0.0.1"}"#)
}

/// The exported root module.
#[export_root_module]
pub fn old_root_module() -> OldBackendModRef {
    OldBackendMod { describe }.leak_into_prefix()
}

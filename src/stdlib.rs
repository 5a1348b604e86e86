//! The standard library: schemas written in dl, embedded in the binary so that
//! `dlc` works from any directory.

pub struct StdModule {
    /// The name used in `import std.NAME`.
    pub name: &'static str,
    pub text: &'static str,
    /// Prelude modules are visible in every lake file without an import.
    pub prelude: bool,
}

impl StdModule {
    /// The name shown in diagnostics.
    pub fn display_path(&self) -> String {
        format!("std/{}.dl", self.name)
    }
}

macro_rules! std_module {
    ($name:literal, $prelude:expr) => {
        StdModule {
            name: $name,
            text: include_str!(concat!("../stdlib/", $name, ".dl")),
            prelude: $prelude,
        }
    };
}

pub const MODULES: &[StdModule] = &[
    std_module!("aws", true),
    std_module!("lake", true),
    std_module!("environment", true),
    std_module!("network", true),
    std_module!("storage", true),
    std_module!("audit", true),
    std_module!("warehouse", true),
    std_module!("presets", false),
];

pub fn find(name: &str) -> Option<&'static StdModule> {
    MODULES.iter().find(|m| m.name == name)
}

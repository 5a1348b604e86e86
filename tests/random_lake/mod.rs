//! Random lakes that look valid: the source text of a root file and the
//! files it imports, built from a stream of choices. The property test
//! (tests/properties.rs) draws the choices from a seeded PRNG, the fuzz
//! target (fuzz/fuzz_targets/random_lake.rs) from the fuzzer's bytes.
//!
//! Most lakes check clean; some carry on purpose what a real lake gets wrong
//! (names that differ only in case or punctuation, repeated list entries,
//! long tags, zero days). Each such choice is recorded as a [`Trigger`], so
//! that a failure can be traced to the rule it exercises.

#![allow(dead_code)]

pub mod quotas;

use std::fmt::Write;
use std::path::Path;

use dlc::driver::{check_source, Checked};
use dlc::resolve::MemoryLoader;

/// Where the generator's decisions come from.
pub trait Choices {
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize;

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// SplitMix64: a few lines, fast, and every seed gives a different stream;
/// enough for test inputs (no crate needed).
pub struct SplitMix(pub u64);

impl Choices for SplitMix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n as u64) as usize
    }
}

/// The fuzzer's bytes, two per choice; zeros once they run out, so every
/// input gives a lake (the smallest one when the input is empty).
pub struct Bytes<'a>(pub &'a [u8]);

impl Choices for Bytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        let (value, rest) = match self.0 {
            [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) as usize, rest),
            [a] => (*a as usize, &[][..]),
            [] => (0, &[][..]),
        };
        self.0 = rest;
        value % n
    }
}

/// A deliberate near-miss in a generated lake: the rule it exercises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trigger {
    /// Two environments whose names differ only in case or punctuation
    /// (`Dev`, `DEV`, `dev`), so physical names may collide.
    EnvNamesAlike,
    /// Two zones whose names differ only in punctuation (`rawdata`, `raw-data`).
    ZoneNamesAlike,
    /// A tag key or value longer than AWS allows, or more than 50 tags.
    TagOverLimit,
    /// Lifecycle transitions not in S3's storage-class order.
    TransitionsOutOfOrder,
    /// A lifecycle value of 0 days.
    ZeroDays,
    /// An endpoint listed twice.
    RepeatedEndpoint,
    /// More environments with a branch than fit the deployment bootstrap
    /// sent inline (DL0395 expected).
    ManyPipelines,
}

/// One generated lake.
#[derive(Debug, Default)]
pub struct Lake {
    /// (file name, text); the root file, `lake.dl`, first.
    pub files: Vec<(String, String)>,
    pub triggers: Vec<Trigger>,
}

impl Lake {
    pub fn root(&self) -> &str {
        &self.files[0].1
    }

    /// Checks the lake from memory, its files in one folder (`/lake`), as
    /// the fuzz target does.
    pub fn check_in_memory(&self) -> Checked {
        let folder = Path::new("/lake");
        let mut loader = MemoryLoader::new();
        for (name, text) in &self.files[1..] {
            loader = loader.with_file(folder.join(name), text.as_str());
        }
        let root = folder.join(&self.files[0].0);
        check_source("lake.dl", &root, self.root().to_string(), &mut loader)
    }

    fn trigger(&mut self, trigger: Trigger) {
        if !self.triggers.contains(&trigger) {
            self.triggers.push(trigger);
        }
    }
}

impl std::fmt::Display for Lake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (name, text) in &self.files {
            writeln!(f, "----- {name} -----\n{text}")?;
        }
        Ok(())
    }
}

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "sa-east-1",
];

/// Names with their look-alikes next to each other.
const ENV_NAMES: &[&str] = &[
    "Dev", "DEV", "dev", "dev-eu", "DevEu", "Test", "test-2", "Test2", "Prod", "PROD", "prod-us",
    "ProdUs", "Qa", "staging", "Sandbox", "e1", "E1",
];

const ZONE_NAMES: &[&str] = &[
    "raw",
    "conformed",
    "purpose-built",
    "purposebuilt",
    "raw-data",
    "rawdata",
    "a",
    "z9",
    "landing-zone-2",
    "curated",
    "x1-y2-z3",
    "archive",
];

const INTERFACE_ENDPOINTS: &[&str] = &[
    "glue",
    "kms",
    "ssm",
    "secretsmanager",
    "states",
    "athena",
    "logs",
    "monitoring",
    "sts",
    "events",
    "lambda",
    "sqs",
    "sns",
    "ecr-api",
    "ecr-dkr",
    "redshift-data",
];

/// Storage classes in the order S3 lets objects move down.
const STORAGE_CLASSES: &[(&str, u32)] = &[
    ("standard-ia", 30),
    ("intelligent-tiering", 0),
    ("onezone-ia", 30),
    ("glacier-ir", 90),
    ("glacier", 90),
    ("deep-archive", 180),
];

const DAYS: &[u32] = &[1, 7, 30, 31, 60, 90, 120, 180, 365, 400, 2555];

/// A random lake of a few environments; see the module's doc.
pub fn lake(c: &mut impl Choices) -> Lake {
    let mut out = Lake::default();
    let deployment_region = *c.pick(REGIONS);
    let mut root = String::new();
    let mut shared = String::new();
    let mut lets: Vec<&'static str> = Vec::new();

    // Values a `let` can hold, written in the root or in an imported file.
    let in_module = c.chance(50);
    let defs = if in_module { &mut shared } else { &mut root };
    if c.chance(50) {
        let _ = writeln!(defs, "let home: Region = {deployment_region}");
        lets.push("home");
    }
    if c.chance(40) {
        let _ = writeln!(defs, "let shared_zones: [Zone] = {}", zones(c, &mut out));
        lets.push("shared_zones");
    }
    if c.chance(40) {
        let _ = writeln!(
            defs,
            "let shared_lifecycle: Lifecycle = {}",
            lifecycle(c, &mut out)
        );
        lets.push("shared_lifecycle");
    }
    if in_module && !shared.is_empty() {
        let preset = c.chance(30);
        let mut module = String::from("// Values shared by the lake's files.\n");
        if preset {
            module.push_str("import std.presets\n");
        }
        module.push_str(&shared);
        if preset {
            module.push_str("let archive: Lifecycle = seven_year_archive\n");
            lets.push("archive");
        }
        root.insert_str(0, "import \"shared.dl\"\n\n");
        out.files.push(("shared.dl".into(), module));
    }

    let prefix = *c.pick(&["DataLake", "DL", "Lake2", "AnalyticsPlatformLake"]);
    // Bucket names hold the prefix, the zone, the account and the region in
    // 63 characters: a long prefix is rare.
    let resource_prefix = *c.pick(&[
        "dl",
        "datalake",
        "a1-b2",
        "dl",
        "datalake",
        "a1-b2",
        "analytics-platform-lake",
    ]);
    let _ = write!(
        root,
        "\nlake Platform {{\n    logical_id_prefix = \"{prefix}\"\n    resource_prefix = \"{resource_prefix}\"\n    deployment_account = \"{}\"\n    deployment_region = {}\n    source = {}\n",
        account(c),
        if lets.contains(&"home") { "home" } else { deployment_region },
        source(c, deployment_region),
    );
    if c.chance(60) {
        let _ = writeln!(root, "    tags = {}", tags(c, &mut out));
    }
    if c.chance(20) {
        root.push_str("    build = { lake_file = \"infra/lake.dl\" }\n");
    }
    root.push_str("}\n");

    // Environments: in the root, or some in a second imported file.
    let most = if c.chance(10) { 9 } else { 4 };
    let count = 1 + c.below(most);
    let mut envs: Vec<EnvFacts> = Vec::new();
    let mut pipelines = 0;
    let mut elsewhere = String::new();
    let split = count > 1 && c.chance(30);
    for i in 0..count {
        let name = *c.pick(ENV_NAMES);
        if envs.iter().any(|e| e.name == name) {
            continue;
        }
        if envs
            .iter()
            .any(|e| squash(e.name) == squash(name) || e.name.eq_ignore_ascii_case(name))
        {
            out.trigger(Trigger::EnvNamesAlike);
        }
        let in_other_file = split && i > 0;
        // `extends` only reaches environments of the same file.
        let parent = if i > 0 && !in_other_file && c.chance(40) {
            let candidates: Vec<&EnvFacts> = envs.iter().filter(|e| !e.elsewhere).collect();
            candidates
                .get(c.below(candidates.len().max(1)))
                .map(|e| (*e).clone())
        } else {
            None
        };
        let spec = EnvSpec {
            name,
            index: i,
            parent,
            deployment_region,
            lets: &lets,
        };
        let (text, mut facts) = environment(c, &mut out, spec);
        facts.elsewhere = in_other_file;
        pipelines += usize::from(facts.branch);
        envs.push(facts);
        if in_other_file {
            elsewhere.push_str(&text);
        } else {
            root.push_str(&text);
        }
    }
    if pipelines > 5 {
        out.trigger(Trigger::ManyPipelines);
    }
    if !elsewhere.is_empty() {
        root.insert_str(0, "import \"more-envs.dl\"\n");
        out.files.push((
            "more-envs.dl".into(),
            format!("// More environments of the lake.\n{elsewhere}"),
        ));
    }
    out.files.insert(0, ("lake.dl".into(), root));
    out
}

/// What later environments need to know of one, to extend it validly.
#[derive(Clone, Debug)]
struct EnvFacts {
    name: &'static str,
    region: &'static str,
    branch: bool,
    warehouse: bool,
    /// Declared in the imported file, out of reach of `extends` in the root.
    elsewhere: bool,
}

struct EnvSpec<'a> {
    name: &'static str,
    index: usize,
    parent: Option<EnvFacts>,
    deployment_region: &'static str,
    lets: &'a [&'static str],
}

/// An environment's text, and its facts.
fn environment(c: &mut impl Choices, out: &mut Lake, spec: EnvSpec<'_>) -> (String, EnvFacts) {
    let mut env = String::new();
    let _ = write!(env, "\nenv {}", spec.name);
    if let Some(parent) = &spec.parent {
        let _ = write!(env, " extends {}", parent.name);
    }
    env.push_str(" {\n");
    // A child sets its own account and range, or it collides with its parent.
    let _ = writeln!(env, "    account = \"{}\"", account(c));
    let inherited = spec.parent.as_ref().map(|p| p.region);
    // A child of a pipelined parent inherits its branch, so it stays in the
    // deployment region and gets a branch of its own.
    let must_branch = spec.parent.as_ref().is_some_and(|p| p.branch);
    let region = match inherited {
        Some(region) if must_branch || c.chance(70) => region,
        _ if c.chance(70) => spec.deployment_region,
        _ => *c.pick(REGIONS),
    };
    if inherited != Some(region) {
        let home = spec.lets.contains(&"home") && region == spec.deployment_region;
        let _ = writeln!(env, "    region = {}", if home { "home" } else { region });
    }
    // us-west-1 has two availability zones; a warehouse needs three.
    let inherits_warehouse = spec.parent.as_ref().is_some_and(|p| p.warehouse);
    let most_zones = if region == "us-west-1" { 2 } else { 3 };
    let zones_count = if inherits_warehouse || c.chance(60) {
        most_zones
    } else {
        1 + c.below(most_zones)
    };
    let _ = writeln!(
        env,
        "    network = {}",
        network(c, out, spec.index, zones_count)
    );
    let branch = region == spec.deployment_region && (must_branch || c.chance(60));
    if branch {
        let name = *c.pick(&["main", "dev", "release/1.2", "feature_x", "Test"]);
        let _ = writeln!(env, "    branch = \"{name}-{}\"", spec.index);
        let _ = writeln!(env, "    approval = {}", c.chance(50));
    }
    if spec.parent.is_none() {
        env.push_str(
            "    execution_policies = [\"arn:aws:iam::aws:policy/AdministratorAccess\"]\n",
        );
    }
    if c.chance(50) {
        let _ = writeln!(env, "    retention = {}", c.pick(&["destroy", "retain"]));
    }
    match c.below(4) {
        0 if spec.lets.contains(&"shared_zones") => env.push_str("    zones = shared_zones\n"),
        1 => {
            let _ = writeln!(env, "    zones = {}", zones(c, out));
        }
        _ => {}
    }
    match c.below(5) {
        0 if spec.lets.contains(&"shared_lifecycle") => {
            env.push_str("    lifecycle = shared_lifecycle\n")
        }
        0 if spec.lets.contains(&"archive") => env.push_str("    lifecycle = archive\n"),
        1 | 2 => {
            let _ = writeln!(env, "    lifecycle = {}", lifecycle(c, out));
        }
        _ => {}
    }
    if c.chance(50) {
        let sort = if c.chance(40) {
            ", sort_key = { name = \"started_at\", kind = number }"
        } else {
            ""
        };
        let name = if c.chance(30) {
            format!(
                "name = \"{}-audit_{}\", ",
                spec.name.to_lowercase(),
                spec.index
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            env,
            "    audit_table = {{ {name}partition_key = {{ name = \"run_id\" }}{sort} }}"
        );
    }
    let warehouse = zones_count >= 3 && c.chance(30);
    if warehouse {
        let base = 8 * (1 + c.below(16));
        let max = if c.chance(50) {
            format!(", max_capacity = {}", base + 8 * c.below(8))
        } else {
            String::new()
        };
        let logs = if c.chance(50) {
            ", log_exports = [userlog]"
        } else {
            ""
        };
        let _ = writeln!(
            env,
            "    warehouse = {{ database = \"analytics\", base_capacity = {base}{max}{logs} }}"
        );
    }
    if c.chance(40) {
        let _ = writeln!(env, "    tags = {}", tags(c, out));
    }
    env.push_str("}\n");
    let facts = EnvFacts {
        name: spec.name,
        region,
        branch: branch || must_branch,
        warehouse: warehouse || inherits_warehouse,
        elsewhere: false,
    };
    (env, facts)
}

/// A range of its own for each environment, so that most lakes have no overlap.
fn network(c: &mut impl Choices, out: &mut Lake, index: usize, zones: usize) -> String {
    let cidr = match c.below(3) {
        0 => format!("10.{}.0.0/16", 100 + index),
        1 => format!("10.{index}.0.0/20"),
        _ => format!("10.{index}.255.0/24"),
    };
    let mut fields = vec![format!("cidr = {cidr}")];
    if zones != 3 || c.chance(20) {
        fields.push(format!("availability_zones = {zones}"));
    }
    if c.chance(30) {
        fields.push(format!(
            "nat_gateways = {}",
            c.pick(&["none", "one", "per-az"])
        ));
    }
    if c.chance(30) {
        let list = endpoints(c, &["s3", "dynamodb"], 3);
        if has_repeat(&list) {
            out.trigger(Trigger::RepeatedEndpoint);
        }
        fields.push(format!("gateway_endpoints = [{}]", list.join(", ")));
    }
    if c.chance(40) {
        let list = endpoints(c, INTERFACE_ENDPOINTS, 7);
        if has_repeat(&list) {
            out.trigger(Trigger::RepeatedEndpoint);
        }
        fields.push(format!("interface_endpoints = [{}]", list.join(", ")));
    }
    format!("{{ {} }}", fields.join(", "))
}

/// Fewer than `most` services, now and then one of them twice.
fn endpoints(c: &mut impl Choices, services: &[&'static str], most: usize) -> Vec<&'static str> {
    let repeats = c.chance(10);
    let mut list = Vec::new();
    for _ in 0..c.below(most) {
        let service = *c.pick(services);
        if repeats || !list.contains(&service) {
            list.push(service);
        }
    }
    list
}

fn zones(c: &mut impl Choices, out: &mut Lake) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut items = Vec::new();
    for _ in 0..1 + c.below(4) {
        let name = *c.pick(ZONE_NAMES);
        if names.contains(&name) {
            continue;
        }
        if names.iter().any(|n| squash(n) == squash(name)) {
            out.trigger(Trigger::ZoneNamesAlike);
        }
        names.push(name);
        if c.chance(25) {
            items.push(format!(
                "{{ name = \"{name}\", lifecycle = {} }}",
                lifecycle(c, out)
            ));
        } else {
            items.push(format!("{{ name = \"{name}\" }}"));
        }
    }
    format!("[{}]", items.join(", "))
}

fn lifecycle(c: &mut impl Choices, out: &mut Lake) -> String {
    let mut picked: Vec<(usize, u32)> = Vec::new();
    for _ in 0..c.below(3) {
        let class = c.below(STORAGE_CLASSES.len());
        if picked.iter().any(|(k, _)| *k == class) {
            continue;
        }
        let (_, minimum) = STORAGE_CLASSES[class];
        let after = minimum.max(30) + 30 * c.below(12) as u32;
        picked.push((class, after));
    }
    // Mostly in S3's order, as a person would write them.
    if c.chance(80) {
        picked.sort_by_key(|(k, after)| (*after, *k));
    }
    if picked
        .windows(2)
        .any(|w| w[0].0 > w[1].0 || w[0].1 >= w[1].1)
    {
        out.trigger(Trigger::TransitionsOutOfOrder);
    }
    let last = picked.iter().map(|(_, after)| *after).max().unwrap_or(0);
    let mut fields = Vec::new();
    if c.chance(60) {
        // Mostly after the last transition and the storage class's minimum.
        let expire = if c.chance(85) {
            last + 180 + *c.pick(DAYS)
        } else {
            *c.pick(DAYS)
        };
        fields.push(format!("expire_after = {}d", days(c, expire)));
    }
    if c.chance(50) {
        let noncurrent = *c.pick(DAYS);
        fields.push(format!(
            "noncurrent_expire_after = {}d",
            days(c, noncurrent)
        ));
    }
    if !picked.is_empty() {
        let list: Vec<String> = picked
            .iter()
            .map(|(k, after)| {
                format!(
                    "{{ storage_class = {}, after = {after}d }}",
                    STORAGE_CLASSES[*k].0
                )
            })
            .collect();
        fields.push(format!("transitions = [{}]", list.join(", ")));
    }
    if fields.iter().any(|f| f.contains("= 0d")) {
        out.trigger(Trigger::ZeroDays);
    }
    format!("{{ {} }}", fields.join(", "))
}

/// `n`, or now and then 0.
fn days(c: &mut impl Choices, n: u32) -> u32 {
    if c.chance(4) {
        0
    } else {
        n.max(1)
    }
}

fn tags(c: &mut impl Choices, out: &mut Lake) -> String {
    let mut pairs = Vec::new();
    let count = if c.chance(3) { 51 } else { c.below(4) };
    if count > 50 {
        out.trigger(Trigger::TagOverLimit);
    }
    for i in 0..count {
        let (key, value) = match c.below(6) {
            // Long, and within 128 characters with any resource prefix.
            0 => (format!("k{}", "x".repeat(96)), "v".to_string()),
            1 => ("owner".to_string(), "a".repeat(256)),
            2 if c.chance(20) => {
                out.trigger(Trigger::TagOverLimit);
                (format!("k{}", "y".repeat(130)), "a".repeat(300))
            }
            3 => (
                "cost-center".to_string(),
                "Analytics Platform / 42".to_string(),
            ),
            _ => ("team".to_string(), "data".to_string()),
        };
        pairs.push(format!("{key}{i} = \"{value}\""));
    }
    format!("{{ {} }}", pairs.join(", "))
}

fn source(c: &mut impl Choices, region: &str) -> String {
    match c.below(3) {
        0 => "GitHub { repository = \"example-org/data.lake\", token_secret = \"/DataLake/GitHubToken\" }".into(),
        1 => format!(
            "GitHubConnection {{ repository = \"example-org/lake\", connection = \"arn:aws:codestar-connections:{region}:111111111111:connection/8d0f5c3e-1a2b-4c5d-9e8f-0a1b2c3d4e5f\" }}"
        ),
        _ => "CodeCommit { repository = \"data_lake-2\" }".into(),
    }
}

fn account(c: &mut impl Choices) -> String {
    format!("{:012}", 100_000_000_000u64 + c.below(1_000_000_000) as u64)
}

/// A name without case or punctuation: `dev-eu` and `DevEu` both give `deveu`.
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn has_repeat(list: &[&str]) -> bool {
    list.iter().enumerate().any(|(i, a)| list[..i].contains(a))
}

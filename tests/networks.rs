//! The network checks on whole lakes: the free ranges suggested across a lake
//! never collide, and environments sharing one range make one diagnostic, in
//! time that grows with their number, not with the number of pairs.

use std::path::Path;
use std::time::Instant;

use dlc::diagnostic::{Code, Diagnostic};
use dlc::driver::check_source;
use dlc::host::FsLoader;
use ipnet::Ipv4Net;

fn check(text: String) -> Vec<Diagnostic> {
    check_source("lake.dl", Path::new("lake.dl"), text, &mut FsLoader).diagnostics
}

/// A small deterministic generator, so the property test needs no crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
}

/// The ranges a help line suggests, and to which environment: "X for `Env`",
/// or "X is the nearest ..." in a help that names one environment.
fn suggested(help: &str) -> Vec<(Ipv4Net, String)> {
    let words: Vec<&str> = help.split_whitespace().collect();
    let name = |word: &str| {
        word.trim_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    };
    let first_named = words.iter().find(|w| w.starts_with('`')).map(|w| name(w));
    words
        .windows(3)
        .filter_map(|w| {
            let range = w[0].trim_end_matches(',').parse().ok()?;
            match w[1] {
                "for" => Some((range, name(w[2]))),
                "is" => Some((range, first_named.clone()?)),
                _ => None,
            }
        })
        .collect()
}

fn overlap(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(b) || b.contains(a)
}

/// Random lakes crowded into 172.16.0.0/14, where ranges repeat, nest, and
/// land on Docker's 172.17.0.0/16: every range the diagnostics suggest is
/// free, in the pool, and different from every other suggestion.
#[test]
fn suggestions_across_a_lake_never_collide() {
    let mut rng = Lcg(17);
    let docker: Ipv4Net = "172.17.0.0/16".parse().unwrap();
    let mut suggestions_seen = 0;
    for round in 0..60 {
        let pool: Option<Ipv4Net> = rng
            .next()
            .is_multiple_of(2)
            .then(|| "172.16.0.0/13".parse().unwrap());
        let mut text = String::from(
            "lake L {\n    logical_id_prefix = \"L\"\n    resource_prefix = \"l\"\n    deployment_account = \"111111111111\"\n    deployment_region = us-east-2\n    source = CodeCommit { repository = \"l\" }\n",
        );
        if let Some(pool) = pool {
            text.push_str(&format!("    address_pool = {pool}\n"));
        }
        text.push_str("}\n");
        let mut cidrs = Vec::new();
        for i in 0..3 + rng.next() % 10 {
            let prefix = 16 + (rng.next() % 5) as u8;
            let address = 0xAC10_0000 | (rng.next() & 0x0003_FFFF);
            let cidr = Ipv4Net::new(address.into(), prefix).unwrap().trunc();
            cidrs.push(cidr);
            text.push_str(&format!(
                "env E{i} {{\n    account = \"{:012}\"\n    region = us-east-2\n    network = {{ cidr = {cidr}, availability_zones = 2 }}\n}}\n",
                200_000_000_000u64 + u64::from(i)
            ));
        }
        let diagnostics = check(text.clone());
        let mut given: Vec<(Ipv4Net, String)> = Vec::new();
        for d in &diagnostics {
            for (range, env) in d.help.as_deref().map(suggested).unwrap_or_default() {
                // One environment in two diagnostics is offered one range.
                if let Some((other, _)) = given.iter().find(|(_, e)| *e == env) {
                    assert_eq!(
                        *other, range,
                        "round {round}: `{env}` is offered two ranges"
                    );
                    continue;
                }
                assert!(
                    !cidrs.iter().any(|c| overlap(c, &range)),
                    "round {round}: {range} is taken\n{text}"
                );
                assert!(
                    !overlap(&docker, &range),
                    "round {round}: {range} is Docker's"
                );
                assert!(
                    pool.is_none_or(|p| p.contains(&range)),
                    "round {round}: {range} is outside the pool"
                );
                assert!(
                    !given.iter().any(|(g, _)| overlap(g, &range)),
                    "round {round}: {range} is suggested twice\n{text}"
                );
                given.push((range, env));
            }
        }
        suggestions_seen += given.len();
    }
    assert!(
        suggestions_seen > 100,
        "only {suggestions_seen} suggestions"
    );
}

/// The stress case of the overlap check: 10,000 environments on one range
/// from one `let` once took one diagnostic per pair (6,000: 40.8 s, 806 MB).
/// Now they are one diagnostic that names ten. The time is printed, never
/// asserted: the machine is shared (`cargo test --test networks -- --nocapture`).
#[test]
fn ten_thousand_environments_on_one_range_are_one_diagnostic() {
    let envs = 10_000;
    let text = dlc::synth::shared_range_lake(envs);
    let started = Instant::now();
    let diagnostics = check(text);
    let elapsed = started.elapsed();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["DL0303"]);
    let overlap = &diagnostics[0];
    assert_eq!(overlap.code, Code::NetworksOverlap);
    assert_eq!(
        overlap.message,
        "10,000 environments have the same VPC range, 10.0.0.0/24"
    );
    assert_eq!(1 + overlap.secondary.len(), 10, "ten labels");
    assert!(
        overlap
            .notes
            .iter()
            .any(|n| n.contains("9,990 more environments")),
        "{:?}",
        overlap.notes
    );
    // The nine named environments that move get nine different ranges.
    let help = overlap.help.as_deref().unwrap_or_default();
    let mut ranges: Vec<Ipv4Net> = suggested(help).into_iter().map(|(r, _)| r).collect();
    ranges.sort();
    ranges.dedup();
    assert_eq!(ranges.len(), 9, "{help}");
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("check of {envs} environments sharing one range ({profile} build): {elapsed:.2?}");
}

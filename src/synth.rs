//! Synthetic lakes for benchmarks: N environments with distinct valid ranges,
//! accounts and branches, and a stress input of many ranges for the overlap
//! check. Deterministic, so measurements are repeatable.

use std::fmt::Write;

use ipnet::Ipv4Net;

/// Regions with at least three availability zones, cycled through.
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
];

/// Environments with a branch. The deployment account's bootstrap holds a
/// role and a permissions boundary for each pipeline and is deployed by
/// hand: past three it passes the 51,200 bytes of a template sent inline
/// (DL0395), past about 75 the 1 MB CloudFormation accepts at all (DL0396).
const PIPELINES: usize = 3;

/// A valid lake of `envs` environments (at most 65,536: one /24 each in 10.0.0.0/8).
/// Every tenth environment has a warehouse; the first [`PIPELINES`] in the
/// deployment region (us-east-1) have a branch each, since pipelines deploy
/// only there.
pub fn lake(envs: usize) -> String {
    lake_text(envs, false)
}

/// The same lake with every environment on one VPC range, from one `let`:
/// the stress input of the overlap check's grouping (one DL0303).
pub fn shared_range_lake(envs: usize) -> String {
    lake_text(envs, true)
}

fn lake_text(envs: usize, shared_range: bool) -> String {
    let mut out = String::with_capacity(300 + envs * 330);
    out.push_str(
        "// A synthetic lake for benchmarks.\n\
         lake Synthetic {\n    \
             logical_id_prefix = \"Synth\"\n    \
             resource_prefix = \"synth\"\n    \
             deployment_account = \"999999999999\"\n    \
             deployment_region = us-east-1\n    \
             source = GitHub { repository = \"example/synthetic-lake\", token_secret = \"/synth/token\" }\n    \
             tags = { team = \"bench\" }\n\
         }\n\n\
         let rebuildable: Lifecycle = { expire_after = 60d, noncurrent_expire_after = 30d }\n\
         let deploy_with: [ManagedPolicyArn] = [\"arn:aws:iam::aws:policy/AdministratorAccess\"]\n",
    );
    if shared_range {
        out.push_str("let shared: Network = { cidr = 10.0.0.0/24 }\n");
    }
    for i in 0..envs.min(65_536) {
        let region = REGIONS[i % REGIONS.len()];
        let network = if shared_range {
            "shared".to_string()
        } else {
            format!("{{ cidr = 10.{}.{}.0/24 }}", i / 256, i % 256)
        };
        let _ = write!(
            out,
            "\nenv E{i} {{\n    \
                account = \"{account:012}\"\n    \
                region = {region}\n    \
                network = {network}\n    \
                lifecycle = rebuildable\n    \
                audit_table = {{}}\n",
            account = 100_000_000_000u64 + i as u64,
        );
        if region == "us-east-1" && i / REGIONS.len() < PIPELINES {
            let _ = write!(
                out,
                "    branch = \"env-{i}\"\n    \
                     execution_policies = deploy_with\n"
            );
        }
        if i % 10 == 0 {
            out.push_str("    warehouse = { database = \"analytics\" }\n");
        }
        out.push_str("}\n");
    }
    out
}

/// `count` ranges for the overlap check alone: distinct /26s spread over
/// 10.0.0.0/8 (262,144 fit), and every hundredth a /22 that swallows some of
/// them, so that about one range in a hundred overlaps others, as in a large
/// organisation's address plan with its mistakes.
pub fn ranges(count: usize) -> Vec<Ipv4Net> {
    (0..count.min(1 << 18))
        .map(|i| {
            let block = (i.wrapping_mul(40_503)) % (1 << 18);
            let address = 0x0A00_0000u32 | ((block as u32) << 6);
            let prefix = if i % 100 == 99 { 22 } else { 26 };
            Ipv4Net::new(address.into(), prefix)
                .map(|n| n.trunc())
                .unwrap_or_default()
        })
        .collect()
}

/// A valid lake whose one environment shares the address space with `count`
/// reserved ranges, all disjoint: the whole-process stress input of the
/// overlap check. The ranges are /26s in 10.0.0.0/8 (262,144 fit), the VPC a
/// /24 in 172.16.0.0/12.
pub fn reserved_ranges_lake(count: usize) -> String {
    let count = count.min(1 << 18);
    let mut out = String::with_capacity(600 + count * 60);
    out.push_str(
        "// A synthetic lake for the overlap check: many reserved ranges.\n\
         lake Ranges {\n    \
             logical_id_prefix = \"Ranges\"\n    \
             resource_prefix = \"ranges\"\n    \
             deployment_account = \"999999999999\"\n    \
             deployment_region = us-east-1\n    \
             source = CodeCommit { repository = \"ranges\" }\n    \
             reserved = [\n",
    );
    for i in 0..count {
        // Spread the blocks so that neighbours in the file are far apart.
        let block = (i.wrapping_mul(40_503)) % (1 << 18);
        let address = 0x0A00_0000u32 | ((block as u32) << 6);
        let _ = writeln!(
            out,
            "        {{ name = \"r{i}\", cidr = {}/26 }},",
            std::net::Ipv4Addr::from(address)
        );
    }
    out.push_str(
        "    ]\n}\n\nenv Only {\n    account = \"100000000000\"\n    region = us-east-1\n    network = { cidr = 172.16.0.0/24 }\n}\n",
    );
    out
}

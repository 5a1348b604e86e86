//! VPC ranges AWS cannot assign or advises against: the link-local block,
//! Docker's default bridge network, and anything outside RFC 1918.

use ipnet::Ipv4Net;

use super::Network;
use crate::checks::cidr::private_block;
use crate::diagnostic::{Code, Diagnostic};

/// The link-local block: AWS cannot assign it to a VPC.
pub const LINK_LOCAL: Ipv4Net = net(169, 254, 0, 16);

/// Docker's default bridge network, which AWS asks VPCs to avoid.
pub const DOCKER_BRIDGE: Ipv4Net = net(172, 17, 0, 16);

/// Ranges a free-range suggestion never proposes.
pub const DISCOURAGED: [Ipv4Net; 2] = [LINK_LOCAL, DOCKER_BRIDGE];

const fn net(a: u8, b: u8, c: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(std::net::Ipv4Addr::new(a, b, c, 0), prefix)
}

/// Special-purpose blocks outside RFC 1918 (RFC 6890's registry), each with
/// what it is and why a VPC should not take its addresses.
const NOT_PRIVATE: &[(Ipv4Net, &str, &str)] = &[
    (
        net(0, 0, 0, 8),
        "the \"this network\" block 0.0.0.0/8",
        "hosts use these addresses only as a source while they learn their own, and nothing routes to them",
    ),
    (
        net(100, 64, 0, 10),
        "the shared address space 100.64.0.0/10 (RFC 6598)",
        "internet providers number the inside of carrier-grade NAT from it, so people connecting over VPN may already hold these addresses",
    ),
    (
        net(127, 0, 0, 8),
        "the loopback block 127.0.0.0/8",
        "every host answers these addresses itself, so no other host can reach them",
    ),
    (
        net(192, 0, 2, 24),
        "the documentation block 192.0.2.0/24 (RFC 5737)",
        "it is set aside for examples, and some networks drop it",
    ),
    (
        net(198, 18, 0, 15),
        "the benchmarking block 198.18.0.0/15 (RFC 2544)",
        "it is set aside for testing network devices, and AWS will not combine 198.19.0.0/16 with RFC 1918 ranges in one VPC",
    ),
    (
        net(198, 51, 100, 24),
        "the documentation block 198.51.100.0/24 (RFC 5737)",
        "it is set aside for examples, and some networks drop it",
    ),
    (
        net(203, 0, 113, 24),
        "the documentation block 203.0.113.0/24 (RFC 5737)",
        "it is set aside for examples, and some networks drop it",
    ),
    (
        net(224, 0, 0, 4),
        "multicast space 224.0.0.0/4",
        "these addresses name groups of receivers, not single hosts",
    ),
    (
        net(240, 0, 0, 4),
        "the reserved block 240.0.0.0/4",
        "it is reserved for future use, and most systems refuse to send to it",
    ),
];

/// Why publicly routable addresses make a poor VPC range.
const PUBLIC: (&str, &str) = (
    "publicly routable space",
    "these addresses belong to someone on the internet, and a VPC that uses them cannot reach the hosts that own them",
);

/// A VPC range in a block AWS rejects or advises against.
pub struct Finding {
    pub code: Code,
    /// The block it is in: "the link-local block 169.254.0.0/16".
    pub what: &'static str,
    /// Why that is a problem, as a note.
    pub why: &'static str,
}

/// What is wrong with `cidr` as a VPC range, if anything.
pub fn classify(cidr: &Ipv4Net) -> Option<Finding> {
    let overlaps = |block: &Ipv4Net| block.contains(cidr) || cidr.contains(block);
    if overlaps(&LINK_LOCAL) {
        return Some(Finding {
            code: Code::LinkLocalVpcRange,
            what: "the link-local block 169.254.0.0/16",
            why: "link-local addresses (RFC 3927) never leave their network segment; AWS serves instance metadata and DNS from them",
        });
    }
    if overlaps(&DOCKER_BRIDGE) {
        return Some(Finding {
            code: Code::DockerBridgeVpcRange,
            what: "Docker's default bridge network 172.17.0.0/16",
            why: "services that run Docker, such as AWS Cloud9 and Amazon SageMaker, give their containers these addresses, and then cannot reach hosts in this VPC",
        });
    }
    if private_block(cidr).is_some() {
        return None;
    }
    let (what, why) = NOT_PRIVATE
        .iter()
        .find(|(block, _, _)| overlaps(block))
        .map_or(PUBLIC, |&(_, what, why)| (what, why));
    Some(Finding {
        code: Code::NonPrivateVpcRange,
        what,
        why,
    })
}

/// The diagnostic for a VPC in a special block; `help` names a free range.
pub fn report(network: &Network, finding: &Finding, help: String) -> Diagnostic {
    let message = match finding.code {
        Code::LinkLocalVpcRange => format!(
            "{} ({}) is in {}, which AWS cannot assign to a VPC",
            network.owner, network.cidr, finding.what
        ),
        Code::DockerBridgeVpcRange => format!(
            "{} ({}) is in {}, which AWS advises VPCs to avoid",
            network.owner, network.cidr, finding.what
        ),
        _ => format!(
            "{} ({}) is outside the private ranges of RFC 1918, in {}",
            network.owner, network.cidr, finding.what
        ),
    };
    let mut diagnostic = Diagnostic::new(finding.code, network.span, message)
        .with_label(format!("in {}", finding.what))
        .with_note(finding.why);
    if finding.code == Code::NonPrivateVpcRange {
        diagnostic = diagnostic.with_note(
            "AWS recommends VPC ranges from 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
        );
    }
    diagnostic.with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(cidr: &str) -> Option<Code> {
        classify(&cidr.parse().unwrap()).map(|f| f.code)
    }

    #[test]
    fn classifies_each_kind_of_range() {
        assert_eq!(code("169.254.10.0/24"), Some(Code::LinkLocalVpcRange));
        assert_eq!(code("172.17.0.0/16"), Some(Code::DockerBridgeVpcRange));
        assert_eq!(code("172.17.8.0/24"), Some(Code::DockerBridgeVpcRange));
        assert_eq!(code("100.64.0.0/16"), Some(Code::NonPrivateVpcRange));
        assert_eq!(code("52.10.0.0/16"), Some(Code::NonPrivateVpcRange));
        for private in [
            "10.0.0.0/16",
            "172.16.0.0/16",
            "172.18.0.0/16",
            "192.168.0.0/24",
        ] {
            assert_eq!(code(private), None, "{private}");
        }
        let shared = classify(&"100.64.0.0/16".parse().unwrap()).unwrap();
        assert!(shared.what.contains("100.64.0.0/10"));
        let public = classify(&"52.10.0.0/16".parse().unwrap()).unwrap();
        assert_eq!(public.what, "publicly routable space");
    }
}

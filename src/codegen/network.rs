//! The `Network` stack: VPC, public and private subnets per availability
//! zone, route tables, internet gateway, NAT, VPC endpoints and the shared
//! security group, with the reference's 11 exports (for 3 zones), and the
//! VPC's flow log into the environment's access-logs bucket.

use super::value::{json, Value};
use ipnet::Ipv4Net;

use super::naming::{self, numbered};
use super::template::{get_att, ref_, sub, Resource, Template};
use super::{Ctx, Error};
use crate::concat::concat_string;
use crate::model::naming::{subnet_prefix, SMALLEST_SUBNET_PREFIX, SUBNET_TIERS};
use crate::model::NatGateways;
use crate::source::Span;

/// Public subnets first, then private ones: `2 * azs` equal blocks, as large
/// as the CIDR allows (the same plan the checks validate). A /24 over 3
/// zones gives six /27s.
pub fn carve(cidr: Ipv4Net, azs: u32) -> Result<(Vec<Ipv4Net>, Vec<Ipv4Net>), String> {
    if azs == 0 {
        return Err("a network needs at least one availability zone".into());
    }
    let blocks = SUBNET_TIERS * azs;
    let Some(prefix) = subnet_prefix(cidr.prefix_len(), azs) else {
        return Err(format!(
            "{cidr} is too small for {blocks} subnets ({azs} availability zones, public and private): \
             each would be a /{}, and AWS subnets are at least a /{SMALLEST_SUBNET_PREFIX}",
            u32::from(cidr.prefix_len()) + (u32::BITS - (blocks - 1).leading_zeros())
        ));
    };
    let subnets: Vec<Ipv4Net> = cidr
        .trunc()
        .subnets(prefix)
        .map_err(|e| e.to_string())?
        .take(blocks as usize)
        .collect();
    let (public, private) = subnets.split_at(azs as usize);
    Ok((public.to_vec(), private.to_vec()))
}

/// A subnet of either tier in one zone; its zone name is written out (see
/// `az_reason`), so cfn-lint's hard-coded-zone rule is silenced for it alone.
fn subnet(
    ctx: &Ctx,
    id: &str,
    zone: &str,
    block: &Ipv4Net,
    span: Span,
    az_reason: &str,
) -> Resource {
    Resource::new(
        "AWS::EC2::Subnet",
        span,
        json!({
            "VpcId": ref_("Vpc"),
            "AvailabilityZone": zone,
            "CidrBlock": block.to_string(),
            "MapPublicIpOnLaunch": false,
            "Tags": ctx.tags_named(ctx.ec2_name(id)),
        }),
    )
    .ignore_lint(&["W3010"], az_reason)
}

pub fn template(ctx: &Ctx) -> Result<Template, Error> {
    let env = ctx.env;
    let net = &env.network;
    let span = net.span;
    let azs = net.availability_zones as usize;
    let zones = env.region.availability_zones.get(..azs).ok_or_else(|| {
        Error::new(
            span,
            format!(
                "{} has {} availability zones, not {azs}",
                env.region.name,
                env.region.availability_zones.len()
            ),
        )
    })?;
    let (public, private) = carve(net.cidr, net.availability_zones)
        .map_err(|message| Error::new(net.cidr_span, message))?;

    let mut t = Template::new(format!(
        "{} {}: network (VPC {} over {azs} availability zones)",
        ctx.lake.name, env.name, net.cidr
    ));

    t.add(
        "Vpc",
        Resource::new(
            "AWS::EC2::VPC",
            span,
            json!({
                "CidrBlock": net.cidr.to_string(),
                "EnableDnsHostnames": true,
                "EnableDnsSupport": true,
                "Tags": ctx.tags_named(ctx.ec2_name("Vpc")),
            }),
        )
        .property_span("CidrBlock", net.cidr_span),
    )?;
    // Every flow of the VPC goes to the environment's access-logs bucket (of
    // the Storage stack, whose policy lets log delivery write it): the logs
    // stay with the rest of the environment's audit trail, and S3 delivery
    // needs no role (docs/output.md, "VPC flow logs").
    let logs_bucket = t.import(&ctx.export("S3AccessLogBucket"));
    t.add(
        "VpcFlowLog",
        Resource::new(
            "AWS::EC2::FlowLog",
            span,
            json!({
                "ResourceId": ref_("Vpc"),
                "ResourceType": "VPC",
                "TrafficType": "ALL",
                "LogDestinationType": "s3",
                "LogDestination": {
                    "Fn::Sub": ["arn:${AWS::Partition}:s3:::${Bucket}", { "Bucket": logs_bucket }],
                },
                "Tags": ctx.tags_named(ctx.ec2_name("VpcFlowLog")),
            }),
        ),
    )?;
    t.add(
        "InternetGateway",
        Resource::new(
            "AWS::EC2::InternetGateway",
            span,
            json!({ "Tags": ctx.tags_named(ctx.ec2_name("InternetGateway")) }),
        ),
    )?;
    t.add(
        "InternetGatewayAttachment",
        Resource::new(
            "AWS::EC2::VPCGatewayAttachment",
            span,
            json!({ "InternetGatewayId": ref_("InternetGateway"), "VpcId": ref_("Vpc") }),
        ),
    )?;
    t.add(
        "PublicRouteTable",
        Resource::new(
            "AWS::EC2::RouteTable",
            span,
            json!({ "VpcId": ref_("Vpc"), "Tags": ctx.tags_named(ctx.ec2_name("PublicRouteTable")) }),
        ),
    )?;
    t.add(
        "PublicDefaultRoute",
        Resource::new(
            "AWS::EC2::Route",
            span,
            json!({
                "RouteTableId": ref_("PublicRouteTable"),
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": ref_("InternetGateway"),
            }),
        )
        .depends_on("InternetGatewayAttachment"),
    )?;

    let az_reason = "Availability zones come from the lake's region data (stdlib), by design: \
                     the compile needs no AWS lookup and the zones are pinned in the exports.";
    for (i, (zone, block)) in zones.iter().zip(&public).enumerate() {
        let n = i + 1;
        let id = numbered("PublicSubnet", n);
        t.add(&id, subnet(ctx, &id, zone, block, span, az_reason))?;
        t.add(
            [id.as_str(), "RouteTableAssociation"].concat(),
            Resource::new(
                "AWS::EC2::SubnetRouteTableAssociation",
                span,
                json!({ "RouteTableId": ref_("PublicRouteTable"), "SubnetId": ref_(id.clone()) }),
            ),
        )?;
    }

    // NAT gateways sit in the public subnets: one per zone, one in the first, or none.
    let nat_count = match net.nat_gateways {
        NatGateways::None => 0,
        NatGateways::One => 1,
        NatGateways::PerAz => azs,
    };
    for n in 1..=nat_count {
        t.add(
            numbered("NatEip", n),
            Resource::new(
                "AWS::EC2::EIP",
                span,
                json!({ "Domain": "vpc", "Tags": ctx.tags_named(ctx.ec2_name(&numbered("NatEip", n))) }),
            )
            .depends_on("InternetGatewayAttachment"),
        )?;
        t.add(
            numbered("NatGateway", n),
            Resource::new(
                "AWS::EC2::NatGateway",
                span,
                json!({
                    "AllocationId": get_att(numbered("NatEip", n), "AllocationId"),
                    "SubnetId": ref_(numbered("PublicSubnet", n)),
                    "Tags": ctx.tags_named(ctx.ec2_name(&numbered("NatGateway", n))),
                }),
            ),
        )?;
    }

    for (i, (zone, block)) in zones.iter().zip(&private).enumerate() {
        let n = i + 1;
        let id = numbered("PrivateSubnet", n);
        let table = numbered("PrivateRouteTable", n);
        t.add(&id, subnet(ctx, &id, zone, block, span, az_reason))?;
        t.add(
            &table,
            Resource::new(
                "AWS::EC2::RouteTable",
                span,
                json!({ "VpcId": ref_("Vpc"), "Tags": ctx.tags_named(ctx.ec2_name(&table)) }),
            ),
        )?;
        t.add(
            [id.as_str(), "RouteTableAssociation"].concat(),
            Resource::new(
                "AWS::EC2::SubnetRouteTableAssociation",
                span,
                json!({ "RouteTableId": ref_(table.clone()), "SubnetId": ref_(id.clone()) }),
            ),
        )?;
        if nat_count > 0 {
            let nat = if nat_count == 1 { 1 } else { n };
            t.add(
                numbered("PrivateDefaultRoute", n),
                Resource::new(
                    "AWS::EC2::Route",
                    span,
                    json!({
                        "RouteTableId": ref_(table.clone()),
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": ref_(numbered("NatGateway", nat)),
                    }),
                ),
            )?;
        }
    }

    // Gateway endpoints go into every route table, private ones first.
    let route_tables: Vec<Value> = (1..=azs)
        .map(|n| ref_(numbered("PrivateRouteTable", n)))
        .chain([ref_("PublicRouteTable")])
        .collect();
    for service in &net.gateway_endpoints {
        let id = concat_string!(naming::endpoint_id(service), "GatewayEndpoint");
        t.add(
            &id,
            Resource::new(
                "AWS::EC2::VPCEndpoint",
                span,
                json!({
                    "VpcId": ref_("Vpc"),
                    "VpcEndpointType": "Gateway",
                    "ServiceName": sub(concat_string!("com.amazonaws.${AWS::Region}.", naming::endpoint_service(service))),
                    "RouteTableIds": route_tables.clone(),
                    "Tags": ctx.tags_named(ctx.ec2_name(&id)),
                }),
            ),
        )?;
    }

    t.add(
        "SharedSecurityGroup",
        Resource::new(
            "AWS::EC2::SecurityGroup",
            span,
            json!({
                "GroupDescription": concat_string!("Data lake resources of ", env.name, ": all traffic between members, HTTPS from the VPC to the interface endpoints"),
                "VpcId": ref_("Vpc"),
                "SecurityGroupIngress": [{
                    "Description": "HTTPS from the VPC, for the interface endpoints",
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "CidrIp": get_att("Vpc", "CidrBlock"),
                }],
                "SecurityGroupEgress": [{
                    "Description": "All outbound traffic",
                    "IpProtocol": "-1",
                    "CidrIp": "0.0.0.0/0",
                }],
                "Tags": ctx.tags_named(ctx.ec2_name("SharedSecurityGroup")),
            }),
        ),
    )?;
    t.add(
        "SharedSecurityGroupSelfIngress",
        Resource::new(
            "AWS::EC2::SecurityGroupIngress",
            span,
            json!({
                "Description": "All traffic between members of the group",
                "GroupId": get_att("SharedSecurityGroup", "GroupId"),
                "IpProtocol": "-1",
                "SourceSecurityGroupId": get_att("SharedSecurityGroup", "GroupId"),
            }),
        ),
    )?;

    let private_subnets: Vec<Value> = (1..=azs)
        .map(|n| ref_(numbered("PrivateSubnet", n)))
        .collect();
    for service in &net.interface_endpoints {
        let id = concat_string!(naming::endpoint_id(service), "Endpoint");
        t.add(
            &id,
            Resource::new(
                "AWS::EC2::VPCEndpoint",
                span,
                json!({
                    "VpcId": ref_("Vpc"),
                    "VpcEndpointType": "Interface",
                    "ServiceName": sub(concat_string!("com.amazonaws.${AWS::Region}.", naming::endpoint_service(service))),
                    "SubnetIds": private_subnets.clone(),
                    "SecurityGroupIds": [get_att("SharedSecurityGroup", "GroupId")],
                    "PrivateDnsEnabled": true,
                    "Tags": ctx.tags_named(ctx.ec2_name(&id)),
                }),
            ),
        )?;
    }

    // The reference's exports: the VPC, then per zone its name, private
    // subnet and private route table, then the shared security group.
    t.output("VpcId", "The VPC", ref_("Vpc"), ctx.export("VpcId"), span)?;
    for (i, zone) in zones.iter().enumerate() {
        let n = i + 1;
        t.output(
            numbered("AvailabilityZone", n),
            concat_string!("Availability zone ", n.to_string()),
            json!(zone),
            ctx.export(&numbered("AvailabilityZone", n)),
            span,
        )?;
    }
    // (export and output name, description, the resource it refers to)
    let per_zone: [(&str, &str, &str); 2] = [
        ("SubnetId", "Private subnet", "PrivateSubnet"),
        (
            "RouteTable",
            "Route table of private subnet",
            "PrivateRouteTable",
        ),
    ];
    for (name, description, resource) in per_zone {
        for n in 1..=azs {
            t.output(
                numbered(name, n),
                concat_string!(description, " ", n.to_string()),
                ref_(numbered(resource, n)),
                ctx.export(&numbered(name, n)),
                span,
            )?;
        }
    }
    t.output(
        "SharedSecurityGroupId",
        "The shared security group",
        get_att("SharedSecurityGroup", "GroupId"),
        ctx.export("SharedSecurityGroupId"),
        span,
    )?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn strings(v: &[Ipv4Net]) -> Vec<String> {
        v.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_slash_24_over_three_zones_gives_six_slash_27s() {
        let (public, private) = carve(net("10.20.0.0/24"), 3).unwrap();
        assert_eq!(
            strings(&public),
            ["10.20.0.0/27", "10.20.0.32/27", "10.20.0.64/27"]
        );
        assert_eq!(
            strings(&private),
            ["10.20.0.96/27", "10.20.0.128/27", "10.20.0.160/27"]
        );
    }

    #[test]
    fn sizes_follow_the_cidr_and_zone_count() {
        let (public, private) = carve(net("10.0.0.0/16"), 2).unwrap();
        assert_eq!(strings(&public), ["10.0.0.0/18", "10.0.64.0/18"]);
        assert_eq!(strings(&private), ["10.0.128.0/18", "10.0.192.0/18"]);
        let (public, private) = carve(net("10.0.0.0/24"), 1).unwrap();
        assert_eq!(strings(&public), ["10.0.0.0/25"]);
        assert_eq!(strings(&private), ["10.0.0.128/25"]);
        let (public, _) = carve(net("10.0.0.0/16"), 6).unwrap();
        assert_eq!(public[1].to_string(), "10.0.16.0/20");
    }

    #[test]
    fn too_small_a_cidr_is_an_error() {
        let err = carve(net("10.0.0.0/26"), 3).unwrap_err();
        assert!(err.contains("/29"), "{err}");
        assert!(carve(net("10.0.0.0/25"), 3).is_ok());
    }
}

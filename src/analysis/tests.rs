use std::path::Path;

use super::*;
use crate::resolve::MemoryLoader;

const LAKE: &str = r#"import "zones.dl"

let home: Region = us-east-2

lake L {
    logical_id_prefix = "Lake"
    resource_prefix = "lake"
    deployment_account = "111111111111"
    deployment_region = home
    source = GitHub { repository = "o/r", token_secret = "/lake/token" }
}

env Dev {
    account = "222222222222"
    region = home
    network = { cidr = 10.20.0.0/24 }
    branch = "main"
    zones = raw_zones
}

env Prod extends Dev {
    account = "444444444444"
    network = { cidr = 10.0.0.0/24 }
    branch = "prod"
}
"#;

const ZONES: &str = "let raw_zones = [{ name = \"raw\" }]\n";

fn analysis(lake: &str) -> Analysis {
    let mut disk = MemoryLoader::new()
        .with_file("/p/lake.dl", lake)
        .with_file("/p/zones.dl", ZONES);
    analyze(
        "/p/lake.dl",
        Path::new("/p/lake.dl"),
        &Overlay::new(),
        &mut disk,
        Quotas::Check,
    )
    .unwrap()
}

fn at<'a>(analysis: &'a Analysis, text: &str, needle: &str, nth: usize) -> &'a Node {
    let offset = text.match_indices(needle).nth(nth).unwrap().0 + 1;
    let root = analysis
        .checked
        .sources
        .files()
        .find(|(_, f)| f.name == "/p/lake.dl")
        .unwrap()
        .0;
    analysis.index.at(root, offset).unwrap()
}

#[test]
fn a_name_use_points_to_its_let_and_an_extends_to_its_env() {
    let a = analysis(LAKE);
    assert!(!a.checked.has_errors(), "{:?}", a.checked.diagnostics);
    let node = at(&a, LAKE, "home", 2);
    let target = Index::definition(node).unwrap();
    assert_eq!(a.checked.sources.text(target), "home");
    assert_eq!(a.index.references(target).len(), 3, "the let and two uses");
    let node = at(&a, LAKE, "Dev {", 1);
    let NodeKind::Reference { name, target } = &node.kind else {
        panic!("{node:?}")
    };
    assert_eq!(name, "Dev");
    assert_eq!(a.checked.sources.text(*target), "Dev");
}

#[test]
fn a_field_knows_its_schema_field_and_a_variant_its_enum() {
    let a = analysis(LAKE);
    let node = at(&a, LAKE, "cidr", 0);
    assert!(
        matches!(&node.kind, NodeKind::Field { record, field, .. } if record == "Network" && field == "cidr"),
        "{node:?}"
    );
    let target = Index::definition(node).unwrap();
    assert!(a.checked.sources.get(target.file).name.starts_with("std/"));
    let node = at(&a, LAKE, "us-east-2", 0);
    assert!(
        matches!(&node.kind, NodeKind::Variant { enum_name, .. } if enum_name == "Region"),
        "{node:?}"
    );
    let node = at(&a, LAKE, "10.20", 0);
    assert!(matches!(node.kind, NodeKind::Cidr(_)), "{node:?}");
}

#[test]
fn a_name_from_an_import_points_into_the_imported_file() {
    let a = analysis(LAKE);
    let node = at(&a, LAKE, "raw_zones", 0);
    let target = Index::definition(node).unwrap();
    assert_eq!(a.checked.sources.get(target.file).name, "/p/zones.dl");
    let node = at(&a, LAKE, "\"zones.dl\"", 0);
    assert!(
        matches!(
            &node.kind,
            NodeKind::Import {
                target: Some(_),
                ..
            }
        ),
        "{node:?}"
    );
}

#[test]
fn an_open_buffer_is_checked_instead_of_the_saved_file() {
    let mut disk = MemoryLoader::new()
        .with_file("/p/lake.dl", LAKE)
        .with_file("/p/zones.dl", ZONES);
    let mut overlay = Overlay::new();
    overlay.set(
        "/p/zones.dl".into(),
        "let raw_zones = [{ nam = \"raw\" }]\n".into(),
    );
    let a = analyze(
        "/p/lake.dl",
        Path::new("/p/lake.dl"),
        &overlay,
        &mut disk,
        Quotas::Check,
    )
    .unwrap();
    assert!(a.checked.has_errors(), "{:?}", a.checked.diagnostics);
}

#[test]
fn a_file_that_does_not_parse_keeps_the_nodes_it_has() {
    let broken = LAKE.replace("branch = \"prod\"", "branch = ");
    let a = analysis(&broken);
    assert!(a.checked.has_errors());
    let node = at(&a, &broken, "home", 1);
    assert!(matches!(node.kind, NodeKind::Reference { .. }), "{node:?}");
}

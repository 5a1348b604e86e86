//! What a template value refers to: the logical IDs in `Ref`, `Fn::GetAtt`
//! and `Fn::Sub`, and the exports in `Fn::ImportValue`. A resource that
//! refers to a replaced one gets its new physical ID.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    /// A resource of the same template, by logical ID.
    Resource(&'a str),
    /// Another stack's export, by name.
    Export(&'a str),
}

pub fn references(value: &Value) -> Vec<Reference<'_>> {
    let mut out = Vec::new();
    collect(value, &mut out);
    out
}

fn collect<'a>(value: &'a Value, out: &mut Vec<Reference<'a>>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("Ref", Value::String(id)) => out.push(Reference::Resource(id)),
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(Value::String(id)) = parts.first() {
                            out.push(Reference::Resource(id));
                        }
                    }
                    ("Fn::GetAtt", Value::String(dotted)) => {
                        out.push(Reference::Resource(
                            dotted.split('.').next().unwrap_or(dotted),
                        ));
                    }
                    ("Fn::Sub", Value::String(text)) => substitutions(text, out),
                    ("Fn::Sub", Value::Array(parts)) => {
                        if let Some(Value::String(text)) = parts.first() {
                            substitutions(text, out);
                        }
                        parts.iter().skip(1).for_each(|p| collect(p, out));
                    }
                    ("Fn::ImportValue", Value::String(name)) => {
                        out.push(Reference::Export(name));
                    }
                    _ => collect(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
        _ => {}
    }
}

/// `${Vpc}` and `${Vpc.CidrBlock}` in a `Fn::Sub` string; `${AWS::Region}`
/// and `${!Literal}` are not references.
fn substitutions<'a>(text: &'a str, out: &mut Vec<Reference<'a>>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.starts_with('!') && !name.contains("::") {
            out.push(Reference::Resource(name.split('.').next().unwrap_or(name)));
        }
        rest = &rest[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_refs_getatts_subs_and_imports() {
        let value = json!({
            "A": { "Ref": "Vpc" },
            "B": { "Fn::GetAtt": ["Key", "Arn"] },
            "C": { "Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*" },
            "D": { "Fn::ImportValue": "Dev-VpcId" }
        });
        assert_eq!(
            references(&value),
            vec![
                Reference::Resource("Vpc"),
                Reference::Resource("Key"),
                Reference::Resource("Bucket"),
                Reference::Export("Dev-VpcId"),
            ]
        );
    }
}

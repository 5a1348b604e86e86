//! One line per diagnostic, `file:line:col: severity[CODE]: message`, for
//! grep, editors' error formats and CI logs.

use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;

/// `file:line:col: severity[CODE]: message` for each diagnostic;
/// `dlc: severity[CODE]: message` for one with no place in a file.
pub fn short(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let place = match diagnostic.span() {
            Some(span) => {
                let file = sources.get(span.file);
                let (line, column) = file.line_col(span.start as usize);
                format!("{}:{line}:{column}", file.name)
            }
            None => "dlc".to_string(),
        };
        out.push_str(&format!(
            "{place}: {}[{}]: {}\n",
            diagnostic.severity.as_str(),
            diagnostic.code.as_str(),
            diagnostic.message
        ));
    }
    out
}

//! Syntax: the pest grammar (`grammar/dl.pest`) and the typed AST built from it.

pub mod ast;
pub mod lexer;
mod parser;

pub use parser::{parse_module, Rule, KEYWORDS};

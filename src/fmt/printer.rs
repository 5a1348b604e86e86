//! Prints a parsed module in the canonical style, putting back the comments
//! the parser dropped.
//!
//! The printer walks the AST in source order and keeps a cursor into the list
//! of comments. At each place where a comment can go (before an item, field,
//! variant or list element; after one, on the same line; after an opening
//! brace; before a closing brace) it emits the comments that lie before that
//! place in the source. A comment in a spot the printer cannot reproduce (say,
//! between `=` and a value) waits for the next such place, so none is lost and
//! their order never changes.

use super::trivia::{has_blank_line, Comment, Trivia};
use crate::syntax::ast::*;

const INDENT: &str = "    ";

pub(crate) fn print(src: &str, trivia: &Trivia, module: &Module) -> String {
    let mut printer = Printer {
        src,
        trivia,
        next_comment: 0,
        out: String::with_capacity(src.len() + src.len() / 8),
        indent: 0,
        last_end: 0,
        at_body_start: true,
        want_blank: false,
        started: false,
    };
    // An item that takes several lines (a body, doc comments) is set off
    // from its neighbours by a blank line, as in the shipped files; between
    // one-line items (a run of imports or lets) the source decides.
    let mut after_block = false;
    for item in &module.items {
        // Printed apart, to add the blank line before it once its height is known.
        let before = std::mem::take(&mut printer.out);
        printer.want_blank |= after_block;
        let own_lines = printer.element(Elem::Item(item), false);
        let printed = std::mem::replace(&mut printer.out, before);
        after_block = printed[own_lines..].trim_start_matches('\n').contains('\n');
        if after_block && !printer.out.is_empty() && !printed.starts_with("\n\n") {
            printer.out.push('\n');
        }
        printer.out.push_str(&printed);
    }
    printer.want_blank |= after_block;
    printer.flush_before(usize::MAX);
    if !printer.out.is_empty() {
        printer.out.push('\n');
    }
    printer.out
}

/// Something printed on lines of its own inside a file or a body.
#[derive(Clone, Copy)]
enum Elem<'m> {
    Item(&'m Item),
    Field(&'m FieldAssign),
    FieldDecl(&'m FieldDecl),
    Variant(&'m VariantDecl),
    Value(&'m Expr),
}

impl<'m> Elem<'m> {
    /// Where it starts, doc comments included.
    fn start(self) -> usize {
        match self {
            Elem::Item(item) => item.span.start as usize,
            Elem::Field(field) => field.span.start as usize,
            Elem::FieldDecl(field) => field.span.start as usize,
            Elem::Variant(variant) => variant.span.start as usize,
            Elem::Value(expr) => expr.span.start as usize,
        }
    }

    /// Where it ends, perhaps with white space and comments after its code.
    fn end(self) -> usize {
        match self {
            Elem::Item(item) => item.span.end as usize,
            Elem::Field(field) => field.value.span.end as usize,
            Elem::FieldDecl(field) => match &field.default {
                Some(default) => default.span.end as usize,
                None => field.ty.span.end as usize,
            },
            Elem::Variant(variant) => match &variant.data {
                Some(data) => data.span.end as usize,
                None => variant.name.span.end as usize,
            },
            Elem::Value(expr) => expr.span.end as usize,
        }
    }

    /// Comments between the doc comments and this offset go between them and
    /// the code.
    fn code_start(self) -> usize {
        match self {
            Elem::Item(item) => match &item.kind {
                ItemKind::Import(import) => import.span.start as usize,
                kind => kind.name().map_or(item.span.start, |name| name.span.start) as usize,
            },
            Elem::Field(field) => field.key.span.start as usize,
            Elem::FieldDecl(field) => field.name.span.start as usize,
            Elem::Variant(variant) => variant.name.span.start as usize,
            Elem::Value(expr) => expr.span.start as usize,
        }
    }

    fn docs(self) -> Option<&'m Docs> {
        match self {
            Elem::Item(item) => Some(&item.docs),
            Elem::Field(field) => Some(&field.docs),
            Elem::FieldDecl(field) => Some(&field.docs),
            Elem::Variant(variant) => Some(&variant.docs),
            Elem::Value(_) => None,
        }
    }
}

struct Printer<'a> {
    src: &'a str,
    trivia: &'a Trivia,
    /// The first comment not printed yet.
    next_comment: usize,
    out: String,
    indent: usize,
    /// The source offset just past the last thing printed, for blank lines.
    last_end: usize,
    /// Nothing has been printed in the current body (or file) yet.
    at_body_start: bool,
    /// The next line is preceded by a blank line.
    want_blank: bool,
    /// A line has been printed: the next one starts with a line break.
    started: bool,
}

impl Printer<'_> {
    // ------------------------------------------------------------ lines

    /// Starts a new line at the current indentation.
    fn open_line(&mut self) {
        if self.started {
            self.out.push('\n');
            if self.want_blank {
                self.out.push('\n');
            }
        }
        self.started = true;
        self.want_blank = false;
        self.at_body_start = false;
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
    }

    /// Keeps one blank line before what starts at `pos` if the source has
    /// one or more there, except at the start of a body.
    fn note_gap(&mut self, pos: usize) {
        if !self.at_body_start
            && self.last_end < pos
            && has_blank_line(&self.src[self.last_end..pos])
        {
            self.want_blank = true;
        }
    }

    fn write(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn done_up_to(&mut self, pos: usize) {
        self.last_end = self.last_end.max(pos);
    }

    // ------------------------------------------------------------ comments

    fn peek_comment(&self) -> Option<&Comment> {
        self.trivia.comments.get(self.next_comment)
    }

    fn own_line_comment(&mut self, index: usize, blank_allowed: bool) {
        let comment = &self.trivia.comments[index];
        if blank_allowed {
            self.note_gap(comment.start);
        }
        self.open_line();
        self.out.push_str(&comment.text);
        self.done_up_to(comment.end);
    }

    /// Prints, each on its own line, the comments that start before `pos`.
    fn flush_before(&mut self, pos: usize) {
        self.flush_before_with(pos, true);
    }

    fn flush_before_with(&mut self, pos: usize, blank_allowed: bool) {
        while self.peek_comment().is_some_and(|c| c.start < pos) {
            self.next_comment += 1;
            self.own_line_comment(self.next_comment - 1, blank_allowed);
        }
    }

    /// Prints the comments that belong at the end of the line just printed:
    /// those left over from before `after`, and one that follows `after` on
    /// the same source line. The first goes on this line, the rest below it.
    fn trailing(&mut self, after: usize) {
        let mut first = true;
        let trivia = self.trivia;
        while let Some(comment) = trivia.comments.get(self.next_comment) {
            let left_over = comment.start < after;
            let same_line = !left_over
                && self.src[after..comment.start]
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b','));
            if !(left_over || same_line) {
                break;
            }
            self.next_comment += 1;
            if first {
                self.write(" ");
                self.write(&comment.text);
                self.done_up_to(comment.end);
                first = false;
            } else {
                self.own_line_comment(self.next_comment - 1, true);
            }
        }
    }

    // ------------------------------------------------------------ helpers

    fn text(&self, start: usize, end: usize) -> &str {
        &self.src[start..self.trivia.code_end(self.src, start, end)]
    }

    fn code_end(&self, start: usize, end: usize) -> usize {
        self.trivia.code_end(self.src, start, end)
    }

    /// Whether the source wrote `open..=close` on one line without comments.
    fn written_inline(&self, open: usize, close: usize) -> bool {
        !self.src[open..close].contains('\n') && !self.trivia.any_comment_in(open, close)
    }

    // ------------------------------------------------------------ elements

    /// Prints an element on lines of its own, with the comments before it
    /// and the one after it. In a multi-line list each element ends with a
    /// comma.
    ///
    /// Returns where in the output its own lines (doc comments, code) start,
    /// after the comments before it.
    fn element(&mut self, elem: Elem, comma: bool) -> usize {
        let start = elem.start();
        self.flush_before(start);
        self.note_gap(start);
        let own_lines = self.out.len();
        let docs = elem.docs();
        let has_docs = docs.is_some_and(|d| !d.lines.is_empty());
        if let Some(docs) = docs {
            for line in &docs.lines {
                self.open_line();
                if line.is_empty() {
                    self.write("///");
                } else {
                    self.write("/// ");
                    self.write(line);
                }
            }
        }
        self.flush_before_with(elem.code_start(), !has_docs);
        self.open_line();
        match elem {
            Elem::Item(item) => self.item(item),
            Elem::Field(field) => self.field(field),
            Elem::FieldDecl(field) => self.field_decl(field),
            Elem::Variant(variant) => self.variant(variant),
            Elem::Value(expr) => self.expr(expr),
        }
        if comma {
            self.write(",");
        }
        let end = self.code_end(start, elem.end());
        self.done_up_to(end);
        self.trailing(end);
        own_lines
    }

    /// Prints `{ ... }` or `[ ... ]` whose brackets are at `open` and `close`:
    /// `{}` when empty, on one line when the source wrote it on one line
    /// without comments, else one element per line.
    fn body(&mut self, open: usize, close: usize, elems: &[Elem], kind: BodyKind) {
        let (left, right) = match kind {
            BodyKind::List => ("[", "]"),
            BodyKind::Braces => ("{", "}"),
        };
        if self.written_inline(open, close)
            || (elems.is_empty() && !self.trivia.any_comment_in(open, close))
        {
            self.write(left);
            if !elems.is_empty() && kind != BodyKind::List {
                self.write(" ");
            }
            for (i, elem) in elems.iter().enumerate() {
                if i > 0 {
                    self.write(", ");
                }
                self.inline(*elem);
            }
            if !elems.is_empty() && kind != BodyKind::List {
                self.write(" ");
            }
            self.write(right);
            self.done_up_to(close + 1);
            return;
        }
        self.write(left);
        self.indent += 1;
        self.at_body_start = true;
        self.done_up_to(open + 1);
        self.trailing(open + 1);
        for elem in elems {
            self.element(*elem, kind == BodyKind::List);
        }
        self.flush_before(close);
        self.indent -= 1;
        self.want_blank = false;
        self.open_line();
        self.write(right);
        self.done_up_to(close + 1);
    }

    /// An element of a body printed on one line.
    fn inline(&mut self, elem: Elem) {
        match elem {
            Elem::Item(item) => self.item(item),
            Elem::Field(field) => self.field(field),
            Elem::FieldDecl(field) => self.field_decl(field),
            Elem::Variant(variant) => self.variant(variant),
            Elem::Value(expr) => self.expr(expr),
        }
    }

    // ------------------------------------------------------------ items

    fn item(&mut self, item: &Item) {
        let end = item.span.end as usize;
        match &item.kind {
            ItemKind::Import(import) => {
                self.write("import ");
                match &import.target {
                    ImportTarget::Std(name) => {
                        self.write("std.");
                        self.write(name);
                    }
                    ImportTarget::File(_) => {
                        let start = import.span.start as usize;
                        let quote = self.trivia.find(self.src, start, b'"');
                        let text = self.text(quote, import.span.end as usize).to_string();
                        self.write(&text);
                    }
                }
            }
            ItemKind::Lake(decl) => {
                self.write("lake ");
                self.declaration(decl);
            }
            ItemKind::Env(decl) => {
                self.write("env ");
                self.declaration(decl);
            }
            ItemKind::Let(decl) => {
                self.write("let ");
                self.write(&decl.name.name);
                if let Some(ty) = &decl.ty {
                    self.write(": ");
                    self.type_expr(ty);
                }
                self.write(" = ");
                self.expr(&decl.value);
            }
            ItemKind::Type(decl) => {
                self.write("type ");
                self.write(&decl.name.name);
                self.write(" = ");
                self.type_expr(&decl.base);
                for ty in &decl.union_rest {
                    self.write(" | ");
                    self.type_expr(ty);
                }
                for (i, constraint) in decl.constraints.iter().enumerate() {
                    self.write(if i == 0 { " where " } else { ", " });
                    let (start, end) =
                        (constraint.span.start as usize, constraint.span.end as usize);
                    let end = self.code_end(start, end);
                    let text = self.trivia.tokens(self.src, start, end);
                    self.write(&text);
                }
            }
            ItemKind::Record(decl) => {
                self.write("record ");
                self.write(&decl.name.name);
                self.write(" ");
                let fields: Vec<Elem> = decl.fields.iter().map(Elem::FieldDecl).collect();
                self.braces(decl.name.span.end as usize, end, &fields);
            }
            ItemKind::Enum(decl) => {
                self.write("enum ");
                self.write(&decl.name.name);
                if let Some(ty) = &decl.data_type {
                    self.write(": ");
                    self.type_expr(ty);
                }
                self.write(" ");
                let variants: Vec<Elem> = decl.variants.iter().map(Elem::Variant).collect();
                self.braces(decl.name.span.end as usize, end, &variants);
            }
        }
    }

    fn declaration(&mut self, decl: &Declaration) {
        self.write(&decl.name.name);
        if let Some(base) = &decl.extends {
            self.write(" extends ");
            self.write(&base.name);
        }
        self.write(" ");
        self.record_body(&decl.body);
    }

    fn field_decl(&mut self, field: &FieldDecl) {
        self.write(&field.name.name);
        self.write(": ");
        self.type_expr(&field.ty);
        if let Some(default) = &field.default {
            self.write(" = ");
            self.expr(default);
        }
    }

    fn variant(&mut self, variant: &VariantDecl) {
        self.write(&variant.name.name);
        if let Some(data) = &variant.data {
            self.write(" ");
            self.record_body(data);
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match &ty.kind {
            TypeExprKind::Named(name, argument) => {
                self.write(&name.name);
                if let Some(argument) = argument {
                    self.write("[");
                    self.type_expr(argument);
                    self.write("]");
                }
            }
            TypeExprKind::List(element) => {
                self.write("[");
                self.type_expr(element);
                self.write("]");
            }
            TypeExprKind::Optional(inner) => {
                self.type_expr(inner);
                self.write("?");
            }
        }
    }

    // ------------------------------------------------------------ values

    fn field(&mut self, field: &FieldAssign) {
        let key = self
            .text(field.key.span.start as usize, field.key.span.end as usize)
            .to_string();
        self.write(&key);
        self.write(" = ");
        self.expr(&field.value);
    }

    /// A record literal or a declaration's body; with its type name, if any.
    fn record_body(&mut self, record: &RecordLit) {
        if let Some(type_name) = &record.type_name {
            self.write(&type_name.name);
            self.write(" ");
        }
        let fields: Vec<Elem> = record.fields.iter().map(Elem::Field).collect();
        self.braces(
            record.span.start as usize,
            record.span.end as usize,
            &fields,
        );
    }

    /// `elems` in the braces that open at or after `from`, the closing one
    /// being the last code before `end`.
    fn braces(&mut self, from: usize, end: usize, elems: &[Elem]) {
        let open = self.trivia.find(self.src, from, b'{');
        let close = self.code_end(open, end) - 1;
        self.body(open, close, elems, BodyKind::Braces);
    }

    fn expr(&mut self, expr: &Expr) {
        let (start, end) = (expr.span.start as usize, expr.span.end as usize);
        match &expr.kind {
            ExprKind::Record(record) => self.record_body(record),
            ExprKind::List(elements) => {
                let close = self.code_end(start, end) - 1;
                let elements: Vec<Elem> = elements.iter().map(Elem::Value).collect();
                self.body(start, close, &elements, BodyKind::List);
            }
            ExprKind::Path(path) => {
                let path: Vec<&str> = path.iter().map(|ident| ident.name.as_str()).collect();
                self.write(&path.join("."));
            }
            // Literals as written: escapes, interpolations, `1_000`, `30d`.
            ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Bool(_)
            | ExprKind::Cidr(_)
            | ExprKind::Duration(_)
            | ExprKind::Invalid => {
                let text = self.text(start, end).to_string();
                self.write(&text);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// `[a, b]`: elements end with a comma when on lines of their own.
    List,
    /// `{ a = 1, b = 2 }`, a `record` or an `enum`: no commas on lines of their own.
    Braces,
}

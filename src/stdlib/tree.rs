//! The prelude's syntax trees in a compact binary form, built ahead of time
//! and embedded in the binary: parsing the prelude was half the instructions
//! of checking a small lake, and reading this form back is a small fraction
//! of that.
//!
//! The form is `prelude.tree`, generated from `stdlib/*.dl` by the test
//! `stdlib::tree::tests::embedded_prelude_equals_a_fresh_parse` in bless mode
//! (`DLC_BLESS=1 cargo test --lib embedded_prelude`). That test fails when a
//! stdlib file changes without the form being generated again; the binary
//! itself checks each module's text hash and parses the text when they
//! differ, so a stale form is never used.
//!
//! Layout: for each prelude module in [`MODULES`](super::MODULES) order, the
//! FNV-1a hash of its text (8 bytes, little-endian), the length of its tree
//! and the tree. Integers are LEB128 varints (signed ones zigzag-encoded),
//! strings and lists are a length and their contents, an `Option` is a
//! 0 or 1 byte and then its value, an enum a tag byte and then its fields.
//! Spans are start and end; their file is the module's.

use ipnet::Ipv4Net;

use crate::source::{FileId, Span};
use crate::syntax::ast::*;

/// The FNV-1a hash of a module's text, computed when the crate is compiled.
pub(super) const fn text_hash(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The tree of the `index`th prelude module, if the embedded form holds one
/// made from text with this hash. `None` means "parse the text".
pub(super) fn read_module(form: &[u8], index: usize, hash: u64, file: FileId) -> Option<Module> {
    let mut reader = Reader { bytes: form, file };
    for _ in 0..index {
        reader.bytes(8)?;
        let length = reader.length()?;
        reader.bytes(length)?;
    }
    let stored_hash = u64::from_le_bytes(reader.bytes(8)?.try_into().ok()?);
    if stored_hash != hash {
        return None;
    }
    let length = reader.length()?;
    let mut module_reader = Reader {
        bytes: reader.bytes(length)?,
        file,
    };
    let module = Module::read(&mut module_reader)?;
    module_reader.bytes.is_empty().then_some(module)
}

struct Reader<'a> {
    bytes: &'a [u8],
    file: FileId,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, count: usize) -> Option<&'a [u8]> {
        if count > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Some(taken)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }

    fn unsigned(&mut self) -> Option<u64> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn signed(&mut self) -> Option<i64> {
        let zigzag = self.unsigned()?;
        Some((zigzag >> 1) as i64 ^ -((zigzag & 1) as i64))
    }

    fn length(&mut self) -> Option<usize> {
        usize::try_from(self.unsigned()?).ok()
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.unsigned()?).ok()
    }
}

/// A syntax-tree type that can be read back from the embedded form (and, in
/// tests, written into it).
trait Tree: Sized {
    fn read(r: &mut Reader) -> Option<Self>;
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>);
}

impl Tree for u32 {
    fn read(r: &mut Reader) -> Option<Self> {
        r.u32()
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        write_unsigned(w, u64::from(*self));
    }
}

impl Tree for i64 {
    fn read(r: &mut Reader) -> Option<Self> {
        r.signed()
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        write_unsigned(w, ((*self << 1) ^ (*self >> 63)) as u64);
    }
}

impl Tree for bool {
    fn read(r: &mut Reader) -> Option<Self> {
        match r.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        w.push(u8::from(*self));
    }
}

impl Tree for String {
    fn read(r: &mut Reader) -> Option<Self> {
        let length = r.length()?;
        std::str::from_utf8(r.bytes(length)?)
            .ok()
            .map(str::to_string)
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        write_unsigned(w, self.len() as u64);
        w.extend_from_slice(self.as_bytes());
    }
}

impl<T: Tree> Tree for Vec<T> {
    fn read(r: &mut Reader) -> Option<Self> {
        let length = r.length()?;
        // Every element takes at least a byte: a corrupt length cannot
        // reserve more than the form holds.
        let mut items = Vec::with_capacity(length.min(r.bytes.len()));
        for _ in 0..length {
            items.push(T::read(r)?);
        }
        Some(items)
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        write_unsigned(w, self.len() as u64);
        for item in self {
            item.write(w);
        }
    }
}

impl<T: Tree> Tree for Option<T> {
    fn read(r: &mut Reader) -> Option<Self> {
        match r.byte()? {
            0 => Some(None),
            1 => Some(Some(T::read(r)?)),
            _ => None,
        }
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        match self {
            None => w.push(0),
            Some(value) => {
                w.push(1);
                value.write(w);
            }
        }
    }
}

impl<T: Tree> Tree for Box<T> {
    fn read(r: &mut Reader) -> Option<Self> {
        T::read(r).map(Box::new)
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        self.as_ref().write(w);
    }
}

impl<A: Tree, B: Tree> Tree for (A, B) {
    fn read(r: &mut Reader) -> Option<Self> {
        Some((A::read(r)?, B::read(r)?))
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        self.0.write(w);
        self.1.write(w);
    }
}

impl Tree for Span {
    fn read(r: &mut Reader) -> Option<Self> {
        Some(Span {
            file: r.file,
            start: r.u32()?,
            end: r.u32()?,
        })
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        self.start.write(w);
        self.end.write(w);
    }
}

impl Tree for Ipv4Net {
    fn read(r: &mut Reader) -> Option<Self> {
        let address = std::net::Ipv4Addr::from(r.u32()?);
        Ipv4Net::new(address, r.byte()?).ok()
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        u32::from(self.addr()).write(w);
        w.push(self.prefix_len());
    }
}

/// Implements [`Tree`] for a struct, field by field in declaration order.
/// The pattern names every field, so adding one to the syntax tree without
/// adding it here does not compile.
macro_rules! tree_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl Tree for $name {
            fn read(r: &mut Reader) -> Option<Self> {
                Some($name { $($field: Tree::read(r)?),* })
            }
            #[cfg(test)]
            fn write(&self, w: &mut Vec<u8>) {
                let $name { $($field),* } = self;
                $($field.write(w);)*
            }
        }
    };
}

tree_struct!(Ident { name, span });
tree_struct!(Docs { lines });
tree_struct!(Item { docs, kind, span });
tree_struct!(Import { target, span });
tree_struct!(Declaration {
    name,
    extends,
    body
});
tree_struct!(LetDecl { name, ty, value });
tree_struct!(TypeDecl {
    name,
    base,
    union_rest,
    constraints
});
tree_struct!(Constraint { kind, span });
tree_struct!(RecordDecl { name, fields });
tree_struct!(FieldDecl {
    docs,
    name,
    ty,
    default,
    span
});
tree_struct!(EnumDecl {
    name,
    data_type,
    variants
});
tree_struct!(VariantDecl {
    docs,
    name,
    data,
    span
});
tree_struct!(TypeExpr { kind, span });
tree_struct!(Expr { kind, span });
tree_struct!(RecordLit {
    type_name,
    fields,
    span
});
tree_struct!(FieldAssign {
    docs,
    key,
    value,
    span
});

impl Tree for Module {
    fn read(r: &mut Reader) -> Option<Self> {
        Some(Module {
            file: r.file,
            items: Tree::read(r)?,
            unparsed: Tree::read(r)?,
            lost_fields: Tree::read(r)?,
        })
    }
    #[cfg(test)]
    fn write(&self, w: &mut Vec<u8>) {
        let Module {
            file: _,
            items,
            unparsed,
            lost_fields,
        } = self;
        items.write(w);
        unparsed.write(w);
        lost_fields.write(w);
    }
}

/// Implements [`Tree`] for an enum: a tag byte (the variant's place in the
/// list), then the variant's fields. Every variant must be listed: a match
/// without the new one does not compile.
macro_rules! tree_enum {
    ($name:ident { $($tag:literal => $variant:ident $(( $($field:ident),* ))?),* $(,)? }) => {
        impl Tree for $name {
            fn read(r: &mut Reader) -> Option<Self> {
                match r.byte()? {
                    $($tag => Some($name::$variant $(( $(tree_enum!(@read r $field)),* ))?),)*
                    _ => None,
                }
            }
            #[cfg(test)]
            fn write(&self, w: &mut Vec<u8>) {
                match self {
                    $($name::$variant $(( $($field),* ))? => {
                        w.push($tag);
                        $($($field.write(w);)*)?
                    })*
                }
            }
        }
    };
    (@read $r:ident $field:ident) => { Tree::read($r)? };
}

tree_enum!(ItemKind {
    0 => Import(import),
    1 => Lake(declaration),
    2 => Env(declaration),
    3 => Let(declaration),
    4 => Type(declaration),
    5 => Record(declaration),
    6 => Enum(declaration),
});
tree_enum!(ImportTarget {
    0 => File(path),
    1 => Std(name),
});
tree_enum!(ConstraintKind {
    0 => Range(low, high),
    1 => Length(low, high),
    2 => Matches(pattern),
});
tree_enum!(TypeExprKind {
    0 => Named(name, argument),
    1 => List(element),
    2 => Optional(inner),
});
tree_enum!(ExprKind {
    0 => Str(parts),
    1 => Int(value),
    2 => Bool(value),
    3 => Cidr(net),
    4 => Duration(duration),
    5 => List(items),
    6 => Record(record),
    7 => Path(idents),
    8 => Invalid,
});
tree_enum!(DurationUnit {
    0 => Days,
    1 => Hours,
    2 => Minutes,
    3 => Seconds,
});
tree_enum!(StrPart {
    0 => Text(text),
    1 => Interpolation(path, span),
});
tree_struct!(Duration { amount, unit });

#[cfg(test)]
fn write_unsigned(w: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            w.push(byte);
            return;
        }
        w.push(byte | 0x80);
    }
}

/// The embedded form of the prelude modules as they parse now.
#[cfg(test)]
pub(super) fn write_prelude() -> Vec<u8> {
    let mut form = Vec::new();
    for (index, module) in super::prelude_modules().enumerate() {
        let tree = super::parse_fresh(index, module);
        let mut bytes = Vec::new();
        tree.write(&mut bytes);
        form.extend_from_slice(&module.hash.to_le_bytes());
        write_unsigned(&mut form, bytes.len() as u64);
        form.extend_from_slice(&bytes);
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::{parse_fresh, prelude_modules, PRELUDE_TREE};

    const FORM_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/stdlib/prelude.tree");

    /// The embedded trees are exactly what parsing the stdlib gives now. With
    /// `DLC_BLESS=1`, writes them first (then run the test again: the binary
    /// embeds the file when it is compiled).
    #[test]
    fn embedded_prelude_equals_a_fresh_parse() {
        let form = write_prelude();
        if std::env::var_os("DLC_BLESS").is_some() {
            std::fs::write(FORM_PATH, &form).expect("src/stdlib/prelude.tree is writable");
        }
        assert!(
            PRELUDE_TREE == form.as_slice(),
            "src/stdlib/prelude.tree is not the prelude as it parses now (a stdlib file \
             or the syntax tree changed): run `DLC_BLESS=1 cargo test --lib embedded_prelude`, \
             then this test again"
        );
        for (index, module) in prelude_modules().enumerate() {
            let file = FileId(index as u32);
            let read = read_module(PRELUDE_TREE, index, module.hash, file);
            assert_eq!(
                read.as_ref(),
                Some(&parse_fresh(index, module)),
                "std/{}.dl",
                module.name
            );
        }
    }

    /// A form made from other text is not used: the loader parses instead.
    #[test]
    fn a_stale_or_damaged_form_is_not_read() {
        let module = prelude_modules().next().expect("a prelude module");
        let file = FileId(0);
        assert!(read_module(PRELUDE_TREE, 0, module.hash ^ 1, file).is_none());
        let last = prelude_modules().count() - 1;
        let last_hash = prelude_modules().last().expect("a prelude module").hash;
        assert!(read_module(PRELUDE_TREE, last, last_hash, file).is_some());
        let truncated = &PRELUDE_TREE[..PRELUDE_TREE.len() - 1];
        assert!(read_module(truncated, last, last_hash, file).is_none());
        let mut flipped = PRELUDE_TREE.to_vec();
        flipped[20] ^= 0xff;
        let damaged = read_module(&flipped, 0, module.hash, file);
        assert_ne!(damaged, Some(parse_fresh(0, module)));
    }

    #[test]
    fn integers_round_trip() {
        for value in [0, 1, -1, 63, -64, 64, i64::MAX, i64::MIN] {
            let mut bytes = Vec::new();
            value.write(&mut bytes);
            let mut reader = Reader {
                bytes: &bytes,
                file: FileId(0),
            };
            assert_eq!(reader.signed(), Some(value));
            assert!(reader.bytes.is_empty());
        }
    }
}

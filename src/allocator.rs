//! The global allocator of the `dlc` executable and of the benches.
//!
//! The compiler allocates many small, short-lived values (syntax nodes, JSON
//! trees): glibc's malloc and free were a fifth of a seed compile's
//! instructions, and mimalloc does the same work in less than half of them.
//!
//! The `mimalloc` crate sends every allocation through `mi_malloc_aligned`,
//! which tests the alignment and the free block before it allocates: about
//! 39 instructions a call, where `mi_malloc` takes about 20, and a seed check
//! makes some 15,000 allocations. Nearly all of them ask for an alignment of
//! 8 or less, which every mimalloc block has (block sizes are multiples of
//! the word, and pages start 16-aligned), so those go to the plain entry
//! points and only larger alignments to the aligned ones.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

/// The alignment every block `mi_malloc` returns has: a word.
const WORD_ALIGN: usize = core::mem::size_of::<usize>();

/// mimalloc, called by its plain entry points where the layout allows.
pub struct Mimalloc;

/// Whether a block of mimalloc's plain entry points is aligned enough.
fn word_aligned(align: usize) -> bool {
    align <= WORD_ALIGN
}

/// A block for `layout` from `plain` (by size) when a word's alignment is
/// enough, else from `aligned` (by size and alignment).
///
/// # Safety
/// Both must be mimalloc allocation entry points, which accept any size and
/// a power-of-two alignment (which a `Layout` has).
#[inline(always)]
unsafe fn allocate(
    layout: Layout,
    plain: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: the caller passes mimalloc's entry points.
    unsafe {
        if word_aligned(layout.align()) {
            plain(layout.size()).cast()
        } else {
            aligned(layout.size(), layout.align()).cast()
        }
    }
}

// SAFETY: every path returns a block of mimalloc's, of at least the size
// asked, aligned as asked (plain blocks are word-aligned, tested below), or
// null; blocks are freed and resized by mimalloc, which accepts any of its
// blocks whichever entry point made them.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see `allocate`.
        unsafe { allocate(layout, mi_malloc, mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see `allocate`.
        unsafe { allocate(layout, mi_zalloc, mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: the caller passes a block this allocator returned.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller passes a block this allocator returned; the
        // block keeps its alignment, as `alloc` chose it.
        unsafe {
            if word_aligned(layout.align()) {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size a small or medium block has, at every alignment up to a
    /// page, comes back aligned: the plain entry points for the word, the
    /// aligned ones above it. Resizing keeps the alignment and the bytes.
    #[test]
    fn every_block_is_aligned_as_asked() {
        let mut blocks = Vec::new();
        for size in 1..=4200 {
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; each block is freed below.
                let ptr = unsafe { Mimalloc.alloc(layout) };
                assert!(!ptr.is_null());
                assert_eq!(ptr as usize % align, 0, "size {size}, align {align}");
                // SAFETY: the block has `size` bytes.
                unsafe { ptr.write_bytes(0xA5, size) };
                blocks.push((ptr, layout));
            }
        }
        for (ptr, layout) in blocks {
            let grown = layout.size() * 3 + 5;
            // SAFETY: `ptr` came from `alloc` with `layout`.
            let moved = unsafe { Mimalloc.realloc(ptr, layout, grown) };
            assert_eq!(moved as usize % layout.align(), 0);
            // SAFETY: the first `layout.size()` bytes were kept.
            let kept = unsafe { core::slice::from_raw_parts(moved, layout.size()) };
            assert!(kept.iter().all(|&byte| byte == 0xA5));
            let grown = Layout::from_size_align(grown, layout.align()).unwrap();
            // SAFETY: `moved` is the resized block, of the grown layout.
            unsafe { Mimalloc.dealloc(moved, grown) };
        }
    }

    #[test]
    fn zeroed_blocks_are_zero() {
        for (size, align) in [(1, 1), (24, 8), (24, 16), (1000, 8), (5000, 64)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: a non-zero size; freed below.
            let ptr = unsafe { Mimalloc.alloc_zeroed(layout) };
            assert_eq!(ptr as usize % align, 0);
            // SAFETY: the block has `size` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(ptr, size) };
            assert!(bytes.iter().all(|&byte| byte == 0));
            // SAFETY: `ptr` came from `alloc_zeroed` with `layout`.
            unsafe { Mimalloc.dealloc(ptr, layout) };
        }
    }
}

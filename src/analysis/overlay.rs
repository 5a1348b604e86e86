//! Unsaved buffers over the disk: an editor's open files win over what is
//! saved, so a lake is checked as the user sees it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::resolve::{LoadError, SourceLoader};

/// The text of open buffers, by the identity the inner loader gives their path.
#[derive(Debug, Default, Clone)]
pub struct Overlay {
    buffers: HashMap<PathBuf, String>,
}

impl Overlay {
    pub fn new() -> Overlay {
        Overlay::default()
    }

    pub fn set(&mut self, identity: PathBuf, text: String) {
        self.buffers.insert(identity, text);
    }

    pub fn remove(&mut self, identity: &Path) {
        self.buffers.remove(identity);
    }

    pub fn get(&self, identity: &Path) -> Option<&str> {
        self.buffers.get(identity).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.buffers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.buffers.keys().map(PathBuf::as_path)
    }
}

/// A loader that reads an open buffer before the file under it.
pub struct OverlayLoader<'a> {
    pub overlay: &'a Overlay,
    pub inner: &'a mut dyn SourceLoader,
}

impl SourceLoader for OverlayLoader<'_> {
    fn identity(&self, path: &Path) -> PathBuf {
        self.inner.identity(path)
    }

    fn read(&mut self, path: &Path) -> Result<String, LoadError> {
        let identity = self.inner.identity(path);
        match self.overlay.get(&identity) {
            Some(text) => Ok(text.to_string()),
            None => self.inner.read(path),
        }
    }

    fn allows_outside_imports(&self) -> bool {
        self.inner.allows_outside_imports()
    }

    fn lake_files_in(&self, dir: &Path) -> Vec<String> {
        let mut names = self.inner.lake_files_in(dir);
        let dir_identity = self.inner.identity(dir);
        for path in self.overlay.paths() {
            if path.parent() == Some(dir_identity.as_path()) {
                if let Some(name) = path.file_name() {
                    let name = name.to_string_lossy().into_owned();
                    if path.extension().is_some_and(|e| e == "dl") && !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::MemoryLoader;

    #[test]
    fn a_buffer_wins_over_the_file_under_it() {
        let mut disk = MemoryLoader::new()
            .with_file("a.dl", "saved")
            .with_file("b.dl", "other");
        let mut overlay = Overlay::new();
        overlay.set(PathBuf::from("a.dl"), "unsaved".into());
        let mut loader = OverlayLoader {
            overlay: &overlay,
            inner: &mut disk,
        };
        assert_eq!(loader.read(Path::new("a.dl")).unwrap(), "unsaved");
        assert_eq!(loader.read(Path::new("b.dl")).unwrap(), "other");
    }
}

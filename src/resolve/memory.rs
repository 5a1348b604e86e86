//! A loader over files held in memory: for fuzzing, benchmarks and tests,
//! where a lake must not touch the disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{LoadError, SourceLoader};

#[derive(Debug, Default)]
pub struct MemoryLoader {
    files: HashMap<PathBuf, String>,
}

impl MemoryLoader {
    pub fn new() -> MemoryLoader {
        MemoryLoader::default()
    }

    /// Adds a file that imports can reach at `path`.
    pub fn with_file(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> MemoryLoader {
        self.files.insert(path.into(), text.into());
        self
    }
}

impl SourceLoader for MemoryLoader {
    fn identity(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }

    fn read(&mut self, path: &Path) -> Result<String, LoadError> {
        self.files.get(path).cloned().ok_or(LoadError::NotFound)
    }

    fn lake_files_in(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter(|path| path.parent() == Some(dir))
            .filter(|path| path.extension().is_some_and(|e| e == "dl"))
            .filter_map(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
            .collect();
        names.sort();
        names
    }
}

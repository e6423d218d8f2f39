//! A zip archive read with caps: the central directory's entry count, and
//! every entry's decompressed bytes counted as they are inflated (declared
//! sizes are never trusted, never used to size anything).

use std::io::{BufReader, Cursor, Read};

use zip::ZipArchive;
use zip::read::ZipFile;

use crate::Refusal;
use crate::budget::Budget;

/// An entry being inflated, counted.
pub(crate) type Entry<'a, 'b> = BufReader<Counted<'a, ZipFile<'a, Cursor<&'b [u8]>>>>;

pub(crate) struct Archive<'b> {
    zip: ZipArchive<Cursor<&'b [u8]>>,
}

impl<'b> Archive<'b> {
    pub fn open(bytes: &'b [u8], budget: &Budget) -> Result<Archive<'b>, Refusal> {
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Refusal::Unreadable(format!("zip: {e}")))?;
        if zip.len() > budget.limits.zip_entries {
            return Err(Refusal::TooManyEntries(budget.limits.zip_entries as u64));
        }
        Ok(Archive { zip })
    }

    pub fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// An entry's inflated bytes as a buffered reader, within the caps.
    pub fn entry<'a>(
        &'a mut self,
        name: &str,
        budget: &'a Budget,
    ) -> Result<Option<Entry<'a, 'b>>, Refusal> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let file = self
            .zip
            .by_index(index)
            .map_err(|e| Refusal::Unreadable(format!("zip {name}: {e}")))?;
        Ok(Some(BufReader::with_capacity(
            64 * 1024,
            Counted {
                inner: file,
                budget,
                left: budget.limits.entry_bytes,
            },
        )))
    }
}

/// Counts inflated bytes against the entry's cap and the total cap.
pub(crate) struct Counted<'a, R> {
    inner: R,
    budget: &'a Budget,
    left: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Never ask for more than one byte past the cap: the cap is what was
        // inflated, not what the header says.
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            self.budget.refuse(Refusal::ZipBomb);
            return Err(std::io::Error::other("entry inflates beyond the cap"));
        }
        self.left -= n as u64;
        self.budget
            .inflated(n as u64)
            .map_err(|r| std::io::Error::other(r.to_string()))?;
        Ok(n)
    }
}

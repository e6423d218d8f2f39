//! Counters of what a read has produced, against [`Limits`]. Shared by
//! reference between the zip reader, the XML readers and the collector,
//! hence cells; the first cap reached is remembered, so that the error a
//! reader reports (an I/O error, an XML error) becomes that cap's refusal.

use std::cell::{Cell, RefCell};
use std::time::Instant;

use crate::{Limits, Refusal};

#[derive(Debug)]
pub(crate) struct Budget {
    pub limits: Limits,
    inflated: Cell<u64>,
    cells: Cell<u64>,
    text: Cell<u64>,
    ticks: Cell<u32>,
    started: Instant,
    refusal: RefCell<Option<Refusal>>,
}

impl Budget {
    pub fn new(limits: &Limits) -> Budget {
        Budget {
            limits: limits.clone(),
            inflated: Cell::new(0),
            cells: Cell::new(0),
            text: Cell::new(0),
            ticks: Cell::new(0),
            started: Instant::now(),
            refusal: RefCell::new(None),
        }
    }

    /// Records a refusal (the first one wins) and returns it.
    pub fn refuse(&self, refusal: Refusal) -> Refusal {
        let mut slot = self.refusal.borrow_mut();
        slot.get_or_insert(refusal).clone()
    }

    pub fn take_refusal(&self) -> Option<Refusal> {
        self.refusal.borrow_mut().take()
    }

    /// Decompressed bytes, over all entries.
    pub fn inflated(&self, n: u64) -> Result<(), Refusal> {
        let total = self.inflated.get().saturating_add(n);
        self.inflated.set(total);
        if total > self.limits.total_bytes {
            return Err(self.refuse(Refusal::ZipBomb));
        }
        self.tick()
    }

    /// One non-blank cell produced.
    pub fn cell(&self) -> Result<(), Refusal> {
        let n = self.cells.get() + 1;
        self.cells.set(n);
        if n > self.limits.cells {
            return Err(self.refuse(Refusal::TooManyCells(self.limits.cells)));
        }
        self.tick()
    }

    /// Decoded text produced.
    pub fn text(&self, bytes: usize) -> Result<(), Refusal> {
        let n = self.text.get().saturating_add(bytes as u64);
        self.text.set(n);
        if n > self.limits.text_bytes {
            return Err(self.refuse(Refusal::TextTooLarge(self.limits.text_bytes)));
        }
        Ok(())
    }

    /// One cell's length.
    pub fn cell_chars(&self, chars: usize) -> Result<(), Refusal> {
        if chars > self.limits.cell_chars {
            return Err(self.refuse(Refusal::CellTooLong));
        }
        Ok(())
    }

    /// The clock, looked at every so often.
    pub fn tick(&self) -> Result<(), Refusal> {
        let t = self.ticks.get().wrapping_add(1);
        self.ticks.set(t);
        if t.is_multiple_of(1024) && self.started.elapsed() > self.limits.time {
            return Err(self.refuse(Refusal::TooSlow(self.limits.time.as_secs())));
        }
        Ok(())
    }
}

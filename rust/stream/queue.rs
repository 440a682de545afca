//! The bounded queue between a producer thread and the core: `Batch`es and pass ends, in order. A producer
//! at a full queue sleeps until the consumer has taken it down to half (so it wakes once per several
//! batches and refills them in one go, rather than taking a core from the training threads at every step),
//! and neither side makes a system call to wake the other unless that one is asleep.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::backend::Data;
use crate::error::{Error, Result};

/// How often a consumer waiting for a batch looks at its cancel flag.
const POLL: Duration = Duration::from_millis(5);

/// One batch of rows, owned: inputs, targets and (optionally) a weight per row, row-major.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Inputs, `rows × input width`.
    pub x: Vec<f32>,
    /// Targets, `rows × target width`.
    pub y: Vec<f32>,
    /// Sample weights, one per row.
    pub w: Option<Vec<f32>>,
    /// Number of rows.
    pub rows: usize,
}

impl Batch {
    /// Copy `d` in, reusing the buffers (no allocation once they are large enough).
    pub fn fill(&mut self, d: Data<'_>) {
        self.x.clear();
        self.x.extend_from_slice(d.x);
        self.y.clear();
        self.y.extend_from_slice(d.y);
        match (d.w, &mut self.w) {
            (Some(w), Some(bw)) => {
                bw.clear();
                bw.extend_from_slice(w);
            }
            (w, bw) => *bw = w.map(<[f32]>::to_vec),
        }
        self.rows = d.rows;
    }

    /// The batch as borrowed data.
    pub fn data(&self) -> Data<'_> {
        Data { x: &self.x, y: &self.y, rows: self.rows, w: self.w.as_deref() }
    }
}

/// What travels through the queue.
#[derive(Debug)]
pub enum Item {
    /// A batch.
    Batch(Batch),
    /// The end of an epoch (or of a validation or evaluation pass).
    End,
    /// The producer failed (its exception is raised by the Python side once the consumer has stopped).
    Failed,
}

#[derive(Debug, Default)]
struct State {
    items: VecDeque<Item>,
    /// Batches the consumer has finished with, for the producer to fill again (see `FeedSender::batch_for`).
    spare: Vec<Batch>,
    /// The producer's first batch set the spare batches aside.
    primed: bool,
    /// The consumer is gone, or the queue was closed: every later send fails.
    closed: bool,
    /// Live senders; none left with the queue empty is the producer's end.
    senders: usize,
    producer_asleep: bool,
    consumer_asleep: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// The consumer waits on it for an item.
    ready: Condvar,
    /// A producer waits on it for room.
    room: Condvar,
    cap: usize,
}

impl Shared {
    /// The most batches in flight at once: the queue's capacity, one in the producer's hands and one in the
    /// consumer's.
    fn in_flight(&self) -> usize {
        self.cap + 2
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        if st.producer_asleep {
            self.room.notify_all();
        }
    }
}

/// The producer's end of a queue.
#[derive(Debug)]
pub struct FeedSender {
    shared: Arc<Shared>,
}

impl Clone for FeedSender {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        FeedSender { shared: self.shared.clone() }
    }
}

impl Drop for FeedSender {
    fn drop(&mut self) {
        let mut st = self.shared.lock();
        st.senders -= 1;
        if st.senders == 0 && st.consumer_asleep {
            self.shared.ready.notify_one();
        }
    }
}

impl FeedSender {
    /// A batch to `fill` with `d`: one the consumer has handed back (`Feed::recycle`), else a new one. The
    /// first new one comes with as many more set aside as can be in flight at once (`Shared::in_flight`), so
    /// that a steady stream allocates nothing after its first batch, however far ahead of the consumer the
    /// producer runs.
    pub fn batch_for(&self, d: Data<'_>) -> Batch {
        let mut st = self.shared.lock();
        if let Some(b) = st.spare.pop() {
            return b;
        }
        let new = || Batch {
            x: Vec::with_capacity(d.x.len()),
            y: Vec::with_capacity(d.y.len()),
            w: d.w.map(|w| Vec::with_capacity(w.len())),
            rows: 0,
        };
        if !st.primed {
            st.primed = true;
            let more = self.shared.in_flight() - 1;
            st.spare.reserve(more + 1);
            st.spare.extend((0..more).map(|_| new()));
        }
        new()
    }

    /// Put `item`, waiting while the queue is full. `false` once the consumer is gone or the queue closed.
    pub fn send(&self, item: Item) -> bool {
        let sh = &*self.shared;
        let mut st = sh.lock();
        while st.items.len() >= sh.cap && !st.closed {
            st.producer_asleep = true;
            st = sh.room.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        st.producer_asleep = false;
        if st.closed {
            return false;
        }
        st.items.push_back(item);
        if st.consumer_asleep {
            sh.ready.notify_one();
        }
        true
    }

    /// Make every later `send` fail (the consumer will take no more), waking a producer that waits.
    pub fn close(&self) {
        self.shared.close();
    }
}

/// The consumer's end of a queue.
#[derive(Debug)]
pub struct Feed {
    shared: Arc<Shared>,
    /// The sums and running means of a pass read from this feed (a validation pass), kept from one pass
    /// to the next so that an epoch's validation allocates nothing.
    pub(crate) pass_sums: (Vec<f64>, Vec<f64>),
}

/// A queue holding at most `capacity` items (at least one).
pub fn feed(capacity: usize) -> (FeedSender, Feed) {
    let state = Mutex::new(State { senders: 1, ..State::default() });
    let cap = capacity.max(1);
    let shared = Arc::new(Shared { state, ready: Condvar::new(), room: Condvar::new(), cap });
    (FeedSender { shared: shared.clone() }, Feed { shared, pass_sums: Default::default() })
}

impl Feed {
    /// Hand a finished batch back for the producer to reuse (at most as many as can be in flight are kept).
    pub fn recycle(&self, b: Batch) {
        let mut st = self.shared.lock();
        if st.spare.len() < self.shared.in_flight() {
            st.spare.push(b);
        }
    }

    /// The next batch of the current pass, `None` at its end; `Error::Interrupted` once `cancel` is set.
    pub fn next(&mut self, cancel: &AtomicBool) -> Result<Option<Batch>> {
        let sh = &*self.shared;
        let mut st = sh.lock();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            if let Some(item) = st.items.pop_front() {
                st.consumer_asleep = false;
                if st.producer_asleep && st.items.len() <= sh.cap / 2 {
                    sh.room.notify_all();
                }
                return match item {
                    Item::Batch(b) => Ok(Some(b)),
                    Item::End => Ok(None),
                    Item::Failed => Err(Error::State("the data source raised an exception".into())),
                };
            }
            if st.senders == 0 {
                return Err(Error::State("the data source stopped before the end of the data".into()));
            }
            st.consumer_asleep = true;
            st = sh.ready.wait_timeout(st, POLL).unwrap_or_else(PoisonError::into_inner).0;
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.shared.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_passes_batches_in_order_and_ends() {
        let (tx, mut rx) = feed(2);
        let t = std::thread::spawn(move || {
            for r in 1..=7 {
                assert!(tx.send(Item::Batch(Batch { x: vec![0.0; r], y: vec![0.0; r], w: None, rows: r })));
            }
            assert!(tx.send(Item::End));
            tx
        });
        let never = AtomicBool::new(false);
        let rows: Vec<usize> = std::iter::from_fn(|| rx.next(&never).unwrap()).map(|b| b.rows).collect();
        assert_eq!(rows, (1..=7).collect::<Vec<_>>());
        let tx = t.join().unwrap();
        drop(rx);
        assert!(!tx.send(Item::End), "a send after the consumer is gone fails");
    }

    #[test]
    fn a_failed_producer_and_a_cancel_end_the_wait() {
        let (tx, mut rx) = feed(1);
        assert!(tx.send(Item::Failed));
        let never = AtomicBool::new(false);
        assert!(matches!(rx.next(&never), Err(Error::State(_))));
        let cancel = AtomicBool::new(true);
        assert!(matches!(rx.next(&cancel), Err(Error::Interrupted)));
        tx.close();
        assert!(!tx.send(Item::End));
    }

    #[test]
    fn a_waiting_producer_is_woken_by_close_and_by_the_consumer_leaving() {
        for leave in [false, true] {
            let (tx, rx) = feed(1);
            assert!(tx.send(Item::End));
            let tx2 = tx.clone();
            let t = std::thread::spawn(move || tx2.send(Item::End));
            std::thread::sleep(Duration::from_millis(20));
            if leave {
                drop(rx);
            } else {
                tx.close();
            }
            assert!(!t.join().unwrap(), "the blocked send fails");
        }
    }

    #[test]
    fn a_consumer_sees_the_producer_gone() {
        let (tx, mut rx) = feed(3);
        assert!(tx.send(Item::End));
        let t = std::thread::spawn(move || drop(tx));
        let never = AtomicBool::new(false);
        assert!(matches!(rx.next(&never), Ok(None)));
        t.join().unwrap();
        assert!(matches!(rx.next(&never), Err(Error::State(_))));
    }
}

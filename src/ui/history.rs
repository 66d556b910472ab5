//! The recorded history the plots and the CSV export read: one bounded ring of
//! samples (time, spike flag, one value per channel) for the current generation.
//!
//! Memory grows only as samples arrive and never beyond the capacity, which is the
//! smaller of the requested simulated duration and a memory budget; once full the
//! oldest samples are overwritten and `wrapped` says so.

use std::collections::VecDeque;
use std::ops::Range;

use crate::sim::worker::Block;

/// Bytes one sample costs per channel (f64), plus time and spike flag.
fn bytes_per_sample(channels: usize) -> usize {
    channels * 8 + 8 + 1
}

/// Samples that fit `duration_ms` at `dt_ms` and `budget_bytes`.
pub fn capacity_for(duration_ms: f64, dt_ms: f64, channels: usize, budget_bytes: usize) -> usize {
    let by_time = (duration_ms / dt_ms).ceil().max(1.0) as usize + 1;
    let by_memory = (budget_bytes / bytes_per_sample(channels)).max(1024);
    by_time.min(by_memory)
}

#[derive(Debug, Default)]
pub struct History {
    generation: u64,
    capacity: usize,
    t_ms: VecDeque<f64>,
    spike: VecDeque<bool>,
    values: Vec<VecDeque<f64>>,
    /// Whether old samples have been overwritten since the last clear.
    pub wrapped: bool,
}

impl History {
    pub fn new(generation: u64, channels: usize, capacity: usize) -> Self {
        Self {
            generation,
            capacity: capacity.max(2),
            values: (0..channels).map(|_| VecDeque::new()).collect(),
            ..Self::default()
        }
    }

    /// Empties the store for a new generation and channel layout.
    pub fn clear(&mut self, generation: u64, channels: usize, capacity: usize) {
        *self = Self::new(generation, channels, capacity);
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn channels(&self) -> usize {
        self.values.len()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.t_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }

    /// Changes the capacity, keeping the newest samples.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(2);
        while self.len() > self.capacity {
            self.pop_front();
        }
        self.t_ms.shrink_to(self.capacity);
        self.spike.shrink_to(self.capacity);
        for v in &mut self.values {
            v.shrink_to(self.capacity);
        }
    }

    fn pop_front(&mut self) {
        self.t_ms.pop_front();
        self.spike.pop_front();
        for v in &mut self.values {
            v.pop_front();
        }
        self.wrapped = true;
    }

    /// Appends a block of the current generation (the caller checks the generation).
    pub fn push_block(&mut self, block: &Block) {
        if block.channels != self.channels() {
            return;
        }
        let n = block.len.min(self.capacity);
        let skip = block.len - n;
        let overflow = (self.len() + n).saturating_sub(self.capacity);
        if overflow > 0 {
            self.t_ms.drain(..overflow);
            self.spike.drain(..overflow);
            for v in &mut self.values {
                v.drain(..overflow);
            }
            self.wrapped = true;
        }
        self.grow_for(n);
        self.t_ms.extend(&block.t_ms[skip..block.len]);
        self.spike.extend(&block.spike[skip..block.len]);
        // Column by column: each deque is written contiguously.
        let stride = block.channels;
        for (c, column) in self.values.iter_mut().enumerate() {
            column.extend((skip..block.len).map(|k| block.values[k * stride + c]));
        }
    }

    /// Grows in exact steps so that memory never overshoots the capacity.
    fn grow_for(&mut self, n: usize) {
        let len = self.len();
        if len + n <= self.t_ms.capacity() {
            return;
        }
        let extra = len.max(4096).max(n).min(self.capacity - len);
        self.t_ms.reserve_exact(extra);
        self.spike.reserve_exact(extra);
        for v in &mut self.values {
            v.reserve_exact(extra);
        }
    }

    pub fn t_ms(&self) -> &VecDeque<f64> {
        &self.t_ms
    }

    pub fn spikes(&self) -> &VecDeque<bool> {
        &self.spike
    }

    pub fn channel(&self, index: usize) -> Option<&VecDeque<f64>> {
        self.values.get(index)
    }

    /// First and last recorded time.
    pub fn time_span(&self) -> Option<(f64, f64)> {
        Some((*self.t_ms.front()?, *self.t_ms.back()?))
    }

    /// Sample indices with `t0 <= t <= t1`.
    pub fn range_of(&self, t0_ms: f64, t1_ms: f64) -> Range<usize> {
        let start = self.t_ms.partition_point(|&t| t < t0_ms);
        let end = self.t_ms.partition_point(|&t| t <= t1_ms);
        start..end.max(start)
    }

    /// Spikes per second of simulated time over the last `window_ms` recorded.
    pub fn firing_rate_hz(&self, window_ms: f64) -> Option<f64> {
        let (_, t_end) = self.time_span()?;
        let range = self.range_of(t_end - window_ms, t_end);
        let first = *self.t_ms.get(range.start)?;
        let span_ms = t_end - first;
        if span_ms <= 0.0 {
            return None;
        }
        let spikes = self
            .spike
            .range(range.start + 1..range.end)
            .filter(|&&s| s)
            .count();
        Some(spikes as f64 * 1000.0 / span_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(t0: f64, n: usize) -> Box<Block> {
        // Build through the public fields; one channel.
        let mut b = Box::new(empty_block());
        b.channels = 1;
        b.len = n;
        for k in 0..n {
            b.t_ms[k] = t0 + k as f64;
            b.values[k] = k as f64;
            b.spike[k] = k % 10 == 0;
        }
        b
    }

    fn empty_block() -> Block {
        Block {
            generation: 0,
            channels: 1,
            len: 0,
            t_ms: [0.0; crate::sim::worker::BLOCK_SAMPLES],
            spike: [false; crate::sim::worker::BLOCK_SAMPLES],
            values: [0.0; crate::sim::worker::BLOCK_VALUES],
        }
    }

    #[test]
    fn bounded_and_wraps() {
        let mut h = History::new(0, 1, 100);
        for i in 0..5 {
            h.push_block(&block(i as f64 * 50.0, 50));
        }
        assert_eq!(h.len(), 100);
        assert!(h.wrapped);
        assert_eq!(h.time_span(), Some((150.0, 249.0)));
        assert_eq!(h.range_of(160.0, 170.5), 10..21);
        assert!(h.t_ms.capacity() <= 100 + 1);
    }

    #[test]
    fn capacity_respects_the_memory_budget() {
        assert_eq!(capacity_for(1000.0, 0.1, 4, usize::MAX), 10_001);
        assert!(capacity_for(60_000.0, 0.01, 40, 1 << 28) < 6_000_001);
    }
}

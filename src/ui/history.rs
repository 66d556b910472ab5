//! The recorded history the plots read, in two tiers. The newest samples (time,
//! spike flag, one value per channel) are kept at full resolution in a bounded ring
//! for the current generation: as many as the plots' time window needs, within a
//! memory budget. Alongside, so that drawing a million samples stays cheap: per
//! channel the min/max summary of each chunk ([`ChunkExtremes`]), and the indices of
//! spiking samples. Older samples survive only in the [`Overview`] (chunk extremes
//! with their times, spike times, gaps), for the whole recording's duration — what
//! a plot zoomed out over the recording draws. Exports do not read the history:
//! they replay the session (see `app::export_file`), so nothing here needs to be exact
//! beyond what is drawn.
//!
//! Memory grows only as samples arrive and never beyond the capacities; once full
//! the oldest samples are overwritten and `wrapped` says so.

use std::collections::VecDeque;
use std::ops::Range;

use super::decimate::{CHUNK, ChunkExtremes};
use super::overview::{ChunkSummary, Overview};
use crate::sim::worker::Block;

/// Bytes a chunk of [`CHUNK`] samples costs: per channel an f64 per sample and the
/// chunk's min/max summary, plus time (f64) and spike flag per sample. Spike indices
/// (8 bytes per spike) are left out: spikes are rare next to samples, and the models
/// that can flag one every step (Poisson, integrator, a clamp held above threshold)
/// record a few channels at dt 0.1 ms, where 60 s take a few tens of MB at most.
fn bytes_per_chunk(channels: usize) -> usize {
    channels * (8 * CHUNK + ChunkExtremes::BYTES_PER_CHUNK) + 9 * CHUNK
}

/// Samples that fit `duration_ms` at `dt_ms` and `budget_bytes`.
pub fn capacity_for(duration_ms: f64, dt_ms: f64, channels: usize, budget_bytes: usize) -> usize {
    let by_time = (duration_ms / dt_ms).ceil().max(1.0) as usize + 1;
    let by_memory = (budget_bytes / bytes_per_chunk(channels))
        .saturating_mul(CHUNK)
        .max(1024);
    by_time.min(by_memory)
}

#[derive(Debug, Default)]
pub struct History {
    generation: u64,
    capacity: usize,
    t_ms: VecDeque<f64>,
    spike: VecDeque<bool>,
    values: Vec<VecDeque<f64>>,
    /// Per channel, where the extremes of each chunk lie (for fast decimation).
    extremes: Vec<ChunkExtremes>,
    /// Absolute indices of the samples with a spike, so that markers and rates
    /// need not scan every flag.
    spike_at: VecDeque<usize>,
    /// Samples dropped from the front since the last clear: the absolute index of
    /// the oldest sample, which the chunk summaries are aligned to.
    front: usize,
    /// Whether old samples have been overwritten since the last clear.
    pub wrapped: bool,
    /// The whole recording at chunk resolution (see the module doc).
    overview: Overview,
}

impl History {
    /// A history keeping `capacity` samples at full resolution and an overview of
    /// about `overview_samples` samples.
    pub fn new(generation: u64, channels: usize, capacity: usize, overview_samples: usize) -> Self {
        Self {
            generation,
            capacity: capacity.max(2),
            values: (0..channels).map(|_| VecDeque::new()).collect(),
            extremes: vec![ChunkExtremes::default(); channels],
            overview: Overview::new(channels, overview_samples.max(capacity)),
            ..Self::default()
        }
    }

    /// Empties the store for a new generation and channel layout.
    pub fn clear(
        &mut self,
        generation: u64,
        channels: usize,
        capacity: usize,
        overview_samples: usize,
    ) {
        *self = Self::new(generation, channels, capacity, overview_samples);
    }

    /// The whole recording at chunk resolution.
    pub fn overview(&self) -> &Overview {
        &self.overview
    }

    /// First and last time of the whole recording kept (overview included).
    pub fn recorded_span(&self) -> Option<(f64, f64)> {
        let (raw_start, end) = self.time_span()?;
        let start = self
            .overview
            .start_ms()
            .map_or(raw_start, |t| t.min(raw_start));
        Some((start, end))
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

    /// Changes how much of the recording the overview keeps (in samples).
    pub fn set_overview_capacity(&mut self, samples: usize) {
        self.overview.set_capacity(samples.max(self.capacity));
    }

    /// Changes the full-resolution capacity, keeping the newest samples.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(2);
        while self.len() > self.capacity {
            self.pop_front();
        }
        self.forget_before_front();
        self.t_ms.shrink_to(self.capacity);
        self.spike.shrink_to(self.capacity);
        for v in &mut self.values {
            v.shrink_to(self.capacity);
        }
        for e in &mut self.extremes {
            e.shrink_to(self.capacity);
        }
    }

    fn pop_front(&mut self) {
        self.t_ms.pop_front();
        self.spike.pop_front();
        for v in &mut self.values {
            v.pop_front();
        }
        self.front += 1;
        self.wrapped = true;
    }

    /// Appends a block of the current generation (the caller checks the generation).
    pub fn push_block(&mut self, block: &Block) {
        if block.channels != self.channels() || block.len == 0 {
            return;
        }
        self.note_gap(block.t_ms[0]);
        for k in (0..block.len).filter(|&k| block.spike[k]) {
            self.overview.push_spike(block.t_ms[k]);
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
            self.front += overflow;
            self.forget_before_front();
            self.wrapped = true;
        }
        self.grow_for(n);
        let first = self.front + self.len();
        self.spike_at.extend(
            (skip..block.len)
                .filter(|&k| block.spike[k])
                .map(|k| first + k - skip),
        );
        self.t_ms.extend(&block.t_ms[skip..block.len]);
        self.spike.extend(&block.spike[skip..block.len]);
        // Column by column: each deque is written contiguously.
        let stride = block.channels;
        for (c, column) in self.values.iter_mut().enumerate() {
            column.extend((skip..block.len).map(|k| block.values[k * stride + c]));
        }
        for (c, (extremes, column)) in self.extremes.iter_mut().zip(&self.values).enumerate() {
            for chunk in extremes.update(column, self.front) {
                let Some((lo, lo_at, hi, hi_at)) = extremes.extremes_of(chunk) else {
                    continue;
                };
                let t = |abs: usize| self.t_ms[abs - self.front];
                let summary = ChunkSummary {
                    t_lo_ms: t(lo_at),
                    lo,
                    t_hi_ms: t(hi_at),
                    hi,
                };
                self.overview.push_chunk(c, summary);
            }
        }
    }

    /// Marks a gap when the next sample comes later than one step after the last:
    /// samples the display dropped (the worker numbers its steps without holes).
    fn note_gap(&mut self, next_t_ms: f64) {
        let n = self.t_ms.len();
        if n < 2 {
            return;
        }
        let (before, last) = (self.t_ms[n - 2], self.t_ms[n - 1]);
        let dt_ms = last - before;
        if dt_ms > 0.0 && next_t_ms - last > 1.5 * dt_ms {
            self.overview.push_gap(last, next_t_ms);
        }
    }

    /// Drops the summaries of samples no longer held.
    fn forget_before_front(&mut self) {
        for e in &mut self.extremes {
            e.forget_before(self.front);
        }
        let gone = self.spike_at.partition_point(|&i| i < self.front);
        self.spike_at.drain(..gone);
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
        for e in &mut self.extremes {
            e.reserve_exact(extra);
        }
    }

    /// Bytes allocated for samples and their summaries (what the budget bounds).
    pub fn bytes(&self) -> usize {
        let per_channel = self.values.iter().map(VecDeque::capacity).sum::<usize>();
        let summaries = self
            .extremes
            .iter()
            .map(ChunkExtremes::bytes)
            .sum::<usize>();
        (self.t_ms.capacity() + per_channel + self.spike_at.capacity()) * 8
            + self.spike.capacity()
            + summaries
            + self.overview.bytes()
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

    /// The chunk summary of a channel and the absolute index of its first sample,
    /// for [`super::decimate::min_max_summarised`].
    pub fn extremes(&self, index: usize) -> Option<(&ChunkExtremes, usize)> {
        Some((self.extremes.get(index)?, self.front))
    }

    /// Indices of the samples in `range` that have a spike, in order.
    pub fn spike_indices(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = usize> {
        let start = self
            .spike_at
            .partition_point(|&i| i < self.front + range.start);
        let end = self
            .spike_at
            .partition_point(|&i| i < self.front + range.end);
        self.spike_at
            .range(start..end.max(start))
            .map(move |&i| i - self.front)
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
        let spikes = self.spike_indices(range.start + 1..range.end).count();
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
        let mut h = History::new(0, 1, 100, 100);
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
    fn spike_indices_follow_the_flags_through_wrapping() {
        let mut h = History::new(0, 1, 100, 100);
        let flagged =
            |h: &History, r: Range<usize>| -> Vec<usize> { r.filter(|&i| h.spikes()[i]).collect() };
        for i in 0..7 {
            h.push_block(&block(i as f64 * 37.0, 37));
            let n = h.len();
            assert_eq!(h.spike_indices(0..n).collect::<Vec<_>>(), flagged(&h, 0..n));
            assert_eq!(
                h.spike_indices(5..n / 2).collect::<Vec<_>>(),
                flagged(&h, 5..n / 2)
            );
        }
        h.set_capacity(33);
        assert_eq!(
            h.spike_indices(0..33).collect::<Vec<_>>(),
            flagged(&h, 0..33)
        );
        assert_eq!(h.spike_at.len(), flagged(&h, 0..33).len());
    }

    #[test]
    fn capacity_respects_the_memory_budget() {
        assert_eq!(capacity_for(1000.0, 0.1, 4, usize::MAX), 10_001);
        assert!(capacity_for(60_000.0, 0.01, 40, 1 << 28) < 6_000_001);
    }
}

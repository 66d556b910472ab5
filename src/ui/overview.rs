//! The overview of a whole recording: what the plots draw of samples that have
//! left the history's full-resolution tier. Per channel, the lowest and highest
//! value of every chunk of [`CHUNK`] samples with their times (32 bytes per chunk,
//! a quarter of a percent of the samples it stands for); every spike time; and the
//! spans the display lost because the window did not keep up (drawn as gaps).
//!
//! Memory is bounded by the recording's duration: the oldest chunks, spikes and
//! gaps are forgotten first.

use std::collections::VecDeque;

use super::decimate::CHUNK;

/// One chunk of one channel: its extremes and when they occurred.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkSummary {
    pub t_lo_ms: f64,
    pub lo: f64,
    pub t_hi_ms: f64,
    pub hi: f64,
}

impl ChunkSummary {
    /// Time of the chunk's earlier extreme (chunks are in time order).
    fn t_first_ms(&self) -> f64 {
        self.t_lo_ms.min(self.t_hi_ms)
    }
}

/// Gaps kept at most; a window that lags for minutes loses the oldest marks.
const MAX_GAPS: usize = 4096;

#[derive(Debug, Default)]
pub struct Overview {
    /// Chunks kept per channel.
    capacity_chunks: usize,
    channels: Vec<VecDeque<ChunkSummary>>,
    spike_t_ms: VecDeque<f64>,
    /// (last sample before, first sample after) of each span the display lost.
    gaps_ms: VecDeque<(f64, f64)>,
    /// Whether the oldest chunks have been forgotten (the recording is longer than
    /// the overview keeps).
    pub wrapped: bool,
}

impl Overview {
    /// An overview for `channels` channels covering about `samples` samples.
    pub fn new(channels: usize, samples: usize) -> Self {
        Self {
            capacity_chunks: samples.div_ceil(CHUNK).max(2),
            channels: vec![VecDeque::new(); channels],
            ..Self::default()
        }
    }

    /// Bytes one chunk costs across `channels` channels.
    pub fn bytes_per_chunk(channels: usize) -> usize {
        channels * std::mem::size_of::<ChunkSummary>()
    }

    pub fn bytes(&self) -> usize {
        let chunks: usize = self.channels.iter().map(VecDeque::capacity).sum();
        chunks * std::mem::size_of::<ChunkSummary>()
            + self.spike_t_ms.capacity() * 8
            + self.gaps_ms.capacity() * 16
    }

    /// Keeps about `samples` samples from now on, forgetting the oldest beyond.
    pub fn set_capacity(&mut self, samples: usize) {
        self.capacity_chunks = samples.div_ceil(CHUNK).max(2);
        for chunks in &mut self.channels {
            while chunks.len() > self.capacity_chunks {
                chunks.pop_front();
                self.wrapped = true;
            }
            chunks.shrink_to(self.capacity_chunks);
        }
        self.forget_spikes_and_gaps();
    }

    pub fn push_chunk(&mut self, channel: usize, summary: ChunkSummary) {
        let Some(chunks) = self.channels.get_mut(channel) else {
            return;
        };
        if chunks.len() >= self.capacity_chunks {
            chunks.pop_front();
            self.wrapped = true;
        }
        chunks.push_back(summary);
        if channel == 0 {
            self.forget_spikes_and_gaps();
        }
    }

    pub fn push_spike(&mut self, t_ms: f64) {
        self.spike_t_ms.push_back(t_ms);
        self.forget_spikes_and_gaps();
    }

    pub fn push_gap(&mut self, from_ms: f64, to_ms: f64) {
        if self.gaps_ms.len() >= MAX_GAPS {
            self.gaps_ms.pop_front();
        }
        self.gaps_ms.push_back((from_ms, to_ms));
    }

    /// Drops spikes and gaps older than the oldest chunk kept.
    fn forget_spikes_and_gaps(&mut self) {
        let Some(oldest) = self.channels.first().and_then(|c| c.front()) else {
            return;
        };
        let t0 = oldest.t_first_ms();
        while self.spike_t_ms.front().is_some_and(|&t| t < t0) {
            self.spike_t_ms.pop_front();
        }
        while self.gaps_ms.front().is_some_and(|&(_, t)| t < t0) {
            self.gaps_ms.pop_front();
        }
    }

    /// When the overview starts (the oldest chunk kept).
    pub fn start_ms(&self) -> Option<f64> {
        Some(self.channels.first()?.front()?.t_first_ms())
    }

    /// Spike times in `[t0, t1)`.
    pub fn spikes_in(&self, t0_ms: f64, t1_ms: f64) -> impl Iterator<Item = f64> + '_ {
        let start = self.spike_t_ms.partition_point(|&t| t < t0_ms);
        let end = self.spike_t_ms.partition_point(|&t| t < t1_ms);
        self.spike_t_ms.range(start..end.max(start)).copied()
    }

    /// Spans the display lost that overlap `[t0, t1]`.
    pub fn gaps_in(&self, t0_ms: f64, t1_ms: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.gaps_ms
            .iter()
            .copied()
            .filter(move |&(a, b)| b >= t0_ms && a <= t1_ms)
    }

    /// Min/max points of `channel` over `[t0, t1)`, at most two per column of
    /// `columns`, in time order (appended to `out`).
    pub fn points(
        &self,
        channel: usize,
        t0_ms: f64,
        t1_ms: f64,
        columns: usize,
        out: &mut Vec<[f64; 2]>,
    ) {
        let Some(chunks) = self.channels.get(channel) else {
            return;
        };
        let start = chunks.partition_point(|c| c.t_first_ms() < t0_ms);
        let end = chunks.partition_point(|c| c.t_first_ms() < t1_ms);
        let n = end.saturating_sub(start);
        if n == 0 {
            return;
        }
        let per_column = n.div_ceil(columns.max(1));
        let mut k = start;
        while k < end {
            let stop = (k + per_column).min(end);
            let mut lo = chunks[k];
            let mut hi = chunks[k];
            for c in chunks.range(k..stop) {
                if c.lo < lo.lo {
                    lo = *c;
                }
                if c.hi > hi.hi {
                    hi = *c;
                }
            }
            let (a, b) = ([lo.t_lo_ms, lo.lo], [hi.t_hi_ms, hi.hi]);
            if a[0] <= b[0] {
                out.extend([a, b]);
            } else {
                out.extend([b, a]);
            }
            k = stop;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(t: f64, lo: f64, hi: f64) -> ChunkSummary {
        ChunkSummary {
            t_lo_ms: t,
            lo,
            t_hi_ms: t + 0.5,
            hi,
        }
    }

    #[test]
    fn keeps_the_newest_chunks_and_their_spikes() {
        let mut o = Overview::new(1, 3 * CHUNK);
        for k in 0..5 {
            o.push_spike(k as f64 + 0.1);
            o.push_chunk(0, chunk(k as f64, -(k as f64), k as f64));
        }
        assert_eq!(o.start_ms(), Some(2.0));
        assert!(o.wrapped);
        assert_eq!(
            o.spikes_in(0.0, 10.0).collect::<Vec<_>>(),
            vec![2.1, 3.1, 4.1]
        );
    }

    #[test]
    fn points_keep_the_extremes_of_every_column() {
        let mut o = Overview::new(1, 100 * CHUNK);
        for k in 0..100 {
            let peak = if k == 37 { 40.0 } else { 0.0 };
            o.push_chunk(0, chunk(k as f64, -70.0 - (k % 3) as f64, peak));
        }
        let mut out = Vec::new();
        o.points(0, 0.0, 100.0, 10, &mut out);
        assert_eq!(out.len(), 20);
        assert!(out.iter().any(|p| p == &[37.5, 40.0]), "{out:?}");
        assert!(out.windows(2).all(|w| w[0][0] <= w[1][0]));
        assert_eq!(
            out.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min),
            -72.0
        );
    }
}

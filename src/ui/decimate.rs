//! Min/max decimation per pixel column: a window of a million samples becomes at
//! most two points per column, which keeps every peak and trough visible and draws
//! in constant time (rerun's `re_view_time_series` aggregation does the same).
//!
//! Scanning a million samples per line every frame costs ~0.7 ms per line (memory
//! bound), too much for 60 fps with a dozen lines. So the history keeps, per channel,
//! the first minimum and maximum of every aligned chunk of [`CHUNK`] samples
//! ([`ChunkExtremes`], 24 bytes per chunk, ~2 % of the samples' memory); a bucket then
//! reads whole chunks from that contiguous summary and scans only what is not a whole
//! chunk. The result is exactly that of a full scan.

use std::collections::VecDeque;
use std::ops::Range;

/// Samples per summarised chunk. Chunks are aligned to absolute sample indices
/// (counted from the start of the recording), so they survive the ring's wrapping.
pub const CHUNK: usize = 128;
// Offsets within a chunk are stored as `u8`.
const _: () = assert!(CHUNK <= 256);

/// The first minimum and first maximum among the finite values of one chunk, with
/// their offsets in it. The values are kept (not only the offsets) so that reading a
/// summary does not touch the samples: that memory traffic is what made it slow.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    /// NaN when the chunk has no finite value.
    lo: f64,
    hi: f64,
    lo_at: u8,
    hi_at: u8,
}

/// Per chunk of one channel, where its extremes lie.
#[derive(Debug, Default, Clone)]
pub struct ChunkExtremes {
    /// Absolute index of the chunk `chunks[0]` describes.
    first_chunk: usize,
    chunks: VecDeque<Chunk>,
}

impl ChunkExtremes {
    /// Bytes one chunk's summary costs.
    pub const BYTES_PER_CHUNK: usize = std::mem::size_of::<Chunk>();

    /// Bytes allocated for the summaries.
    pub fn bytes(&self) -> usize {
        self.chunks.capacity() * Self::BYTES_PER_CHUNK
    }

    /// Makes room for the summaries of `samples` more samples, exactly (the history
    /// grows in exact steps so that memory never overshoots its budget).
    pub fn reserve_exact(&mut self, samples: usize) {
        self.chunks.reserve_exact(samples.div_ceil(CHUNK) + 1);
    }

    /// Frees room beyond what `samples` samples need.
    pub fn shrink_to(&mut self, samples: usize) {
        self.chunks.shrink_to(samples.div_ceil(CHUNK) + 1);
    }

    /// Absolute chunk index one past the last summarised chunk.
    fn end_chunk(&self) -> usize {
        self.first_chunk + self.chunks.len()
    }

    /// The summary of absolute chunk `chunk`, if it is summarised.
    fn get(&self, chunk: usize) -> Option<Chunk> {
        self.chunks
            .get(chunk.checked_sub(self.first_chunk)?)
            .copied()
    }

    /// Forgets chunks whose first sample is gone; `front` is the absolute index of
    /// `values[0]`. Call after dropping samples from the front.
    pub fn forget_before(&mut self, front: usize) {
        let first_whole = front.div_ceil(CHUNK);
        while self.first_chunk < first_whole && self.chunks.pop_front().is_some() {
            self.first_chunk += 1;
        }
        self.first_chunk = self.first_chunk.max(first_whole);
    }

    /// The extremes of absolute chunk `chunk`, if summarised and finite:
    /// (lowest value, its absolute sample index, highest value, its index).
    pub fn extremes_of(&self, chunk: usize) -> Option<(f64, usize, f64, usize)> {
        let c = self.get(chunk)?;
        (!c.lo.is_nan()).then(|| {
            let start = chunk * CHUNK;
            (
                c.lo,
                start + c.lo_at as usize,
                c.hi,
                start + c.hi_at as usize,
            )
        })
    }

    /// Summarises every chunk that `values` now holds completely. Call after
    /// appending samples; `front` is the absolute index of `values[0]`. Returns the
    /// absolute indices of the chunks summarised by this call.
    pub fn update(&mut self, values: &VecDeque<f64>, front: usize) -> Range<usize> {
        self.forget_before(front);
        let first_new = self.end_chunk();
        while (self.end_chunk() + 1) * CHUNK <= front + values.len() {
            let start = self.end_chunk() * CHUNK - front;
            let mut acc = Extremes::default();
            acc.scan(values, start..start + CHUNK);
            let empty = acc.lo.0 == usize::MAX;
            self.chunks.push_back(Chunk {
                lo: if empty { f64::NAN } else { acc.lo.1 },
                hi: acc.hi.1,
                lo_at: acc.lo.0.wrapping_sub(start) as u8,
                hi_at: acc.hi.0.wrapping_sub(start) as u8,
            });
        }
        first_new..self.end_chunk()
    }
}

/// The running first minimum and first maximum of finite values, by sample index.
#[derive(Clone, Copy)]
struct Extremes {
    lo: (usize, f64),
    hi: (usize, f64),
}

impl Default for Extremes {
    fn default() -> Self {
        Self {
            lo: (usize::MAX, f64::INFINITY),
            hi: (usize::MAX, f64::NEG_INFINITY),
        }
    }
}

impl Extremes {
    /// Takes in sample `k` of value `y`; earlier samples win ties.
    #[inline]
    fn add(&mut self, k: usize, y: f64) {
        if y.is_finite() {
            if y < self.lo.1 {
                self.lo = (k, y);
            }
            if y > self.hi.1 {
                self.hi = (k, y);
            }
        }
    }

    /// Scans `values[range]` sample by sample.
    fn scan(&mut self, values: &VecDeque<f64>, range: Range<usize>) {
        let (a, b) = values.as_slices();
        let split = a.len();
        let parts = [
            (
                range.start.min(split),
                &a[range.start.min(split)..range.end.min(split)],
            ),
            (
                range.start.max(split),
                &b[range.start.max(split) - split..range.end.max(split) - split],
            ),
        ];
        for (start, part) in parts {
            for (k, &y) in part.iter().enumerate() {
                self.add(start + k, y);
            }
        }
    }
}

/// Appends `[t, y]` points for `range` of `values` to `out`: every sample when there
/// are few, otherwise the min and the max of each of at most `columns` buckets, in
/// time order. Non-finite values are skipped.
pub fn min_max(
    t_ms: &VecDeque<f64>,
    values: &VecDeque<f64>,
    range: Range<usize>,
    columns: usize,
    out: &mut Vec<[f64; 2]>,
) {
    let summary = ChunkExtremes::default();
    min_max_summarised(t_ms, values, (&summary, 0), range, columns, out);
}

/// [`min_max`] reading whole chunks from `summary`: the chunk extremes of `values`
/// and the absolute index of `values[0]`. The output is the same as without a
/// summary for the same absolute indices.
///
/// Bucket boundaries sit at multiples of the bucket size counted from the start of
/// the recording, not from `range.start`, so a scrolling window keeps its buckets
/// (no shimmer); once buckets span several chunks, boundaries snap to chunk
/// boundaries so that only the window's two ends are read sample by sample.
pub fn min_max_summarised(
    t_ms: &VecDeque<f64>,
    values: &VecDeque<f64>,
    summary: (&ChunkExtremes, usize),
    range: Range<usize>,
    columns: usize,
    out: &mut Vec<[f64; 2]>,
) {
    let len = range.len();
    if len <= 2 * columns.max(1) {
        out.extend(
            t_ms.range(range.clone())
                .zip(values.range(range))
                .filter(|(_, y)| y.is_finite())
                .map(|(&t, &y)| [t, y]),
        );
        return;
    }
    let front = summary.1;
    let grid = Grid::new(len, columns);
    let (abs_start, abs_end) = (front + range.start, front + range.end);
    let mut j = grid.bucket_of(abs_start);
    loop {
        let start = grid.boundary(j).max(abs_start) - front;
        let end = grid.boundary(j + 1).min(abs_end) - front;
        let acc = bucket_extremes(values, summary, start..end);
        if acc.lo.0 != usize::MAX {
            let (first, second) = if acc.lo.0 <= acc.hi.0 {
                (acc.lo, acc.hi)
            } else {
                (acc.hi, acc.lo)
            };
            out.push([t_ms[first.0], first.1]);
            if second.0 != first.0 {
                out.push([t_ms[second.0], second.1]);
            }
        }
        if front + end >= abs_end {
            break;
        }
        j += 1;
    }
}

/// Bucket boundaries in absolute sample indices.
struct Grid {
    bucket: usize,
    snap: bool,
}

impl Grid {
    /// Buckets such that `len` samples, wherever they start, touch at most `columns`.
    fn new(len: usize, columns: usize) -> Self {
        let bucket = len.div_ceil(columns.max(2) - 1);
        // Snapping moves each boundary by up to half a chunk, so a snapped bucket is
        // at least `bucket` only if it is a chunk wider; worth it (at most a fifth
        // fewer buckets) once a bucket spans a few chunks.
        let snap = bucket >= 4 * CHUNK;
        Self {
            bucket: if snap { bucket + CHUNK } else { bucket },
            snap,
        }
    }

    /// Start of bucket `j`: `j` buckets, to the nearest chunk boundary when snapping.
    /// Strictly increasing in `j` (snapped boundaries are at least a chunk apart).
    fn boundary(&self, j: usize) -> usize {
        let x = j * self.bucket;
        if self.snap {
            (x + CHUNK / 2) / CHUNK * CHUNK
        } else {
            x
        }
    }

    /// The bucket holding absolute index `i`.
    fn bucket_of(&self, i: usize) -> usize {
        let mut j = i / self.bucket;
        while j > 0 && self.boundary(j) > i {
            j -= 1;
        }
        while self.boundary(j + 1) <= i {
            j += 1;
        }
        j
    }
}

/// Extremes of `values[range]`: the ragged ends scanned, whole chunks from the summary.
fn bucket_extremes(
    values: &VecDeque<f64>,
    (summary, front): (&ChunkExtremes, usize),
    range: Range<usize>,
) -> Extremes {
    let mut acc = Extremes::default();
    // Absolute chunks lying wholly inside the range.
    let first = (front + range.start).div_ceil(CHUNK);
    let last = (front + range.end) / CHUNK;
    let mut k = range.start;
    for chunk in first..last.max(first) {
        let Some(c) = summary.get(chunk) else {
            continue;
        };
        let chunk_start = chunk * CHUNK - front;
        acc.scan(values, k..chunk_start);
        if !c.lo.is_nan() {
            // In index order, so that ties keep the earliest sample as a scan would.
            let lo = (chunk_start + c.lo_at as usize, c.lo);
            let hi = (chunk_start + c.hi_at as usize, c.hi);
            let (first, second) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
            acc.add(first.0, first.1);
            acc.add(second.0, second.1);
        }
        k = chunk_start + CHUNK;
    }
    acc.scan(values, k..range.end);
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_extremes_and_bounds_the_point_count() {
        let n = 1_000_000;
        let t: VecDeque<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
        let y: VecDeque<f64> = (0..n)
            .map(|i| {
                if i == 123_457 {
                    99.0
                } else {
                    (i as f64 * 0.001).sin()
                }
            })
            .collect();
        let mut out = Vec::new();
        min_max(&t, &y, 0..n, 800, &mut out);
        assert!(out.len() <= 1600, "{}", out.len());
        assert!(out.iter().any(|p| p[1] == 99.0));
        assert!(out.windows(2).all(|w| w[0][0] <= w[1][0]));
    }

    #[test]
    fn few_samples_pass_through() {
        let t: VecDeque<f64> = (0..10).map(f64::from).collect();
        let y: VecDeque<f64> = [1.0, f64::NAN, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0].into();
        let mut out = Vec::new();
        min_max(&t, &y, 2..5, 100, &mut out);
        assert_eq!(out, vec![[2.0, 3.0], [3.0, 4.0], [4.0, 5.0]]);
    }

    /// Small integers (many ties), runs of NaN and infinities, a ring that has
    /// wrapped: the summary must change nothing.
    #[test]
    fn the_summary_gives_exactly_the_full_scan() {
        let mut seed = 12345u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        let mut t = VecDeque::new();
        let mut y = VecDeque::new();
        let mut summary = ChunkExtremes::default();
        let mut front = 0;
        let capacity = 20_000;
        for round in 0..40 {
            for _ in 0..(next() % 3000) {
                let i = front + y.len();
                t.push_back(i as f64);
                y.push_back(match next() % 50 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    // A stretch without finite values now and then.
                    _ if (i / 200) % 37 == 5 => f64::NAN,
                    r => (r % 7) as f64,
                });
            }
            while y.len() > capacity {
                y.pop_front();
                t.pop_front();
                front += 1;
            }
            summary.update(&y, front);
            let a = next() % (y.len() + 1);
            let b = a + next() % (y.len() + 1 - a);
            let finite = y.range(a..b).filter(|v| v.is_finite());
            let lo = finite.clone().copied().fold(f64::INFINITY, f64::min);
            let hi = finite.copied().fold(f64::NEG_INFINITY, f64::max);
            for columns in [1, 7, 100, 800] {
                let (mut want, mut got) = (Vec::new(), Vec::new());
                // Without a summary every sample is read: the reference.
                let none = ChunkExtremes::default();
                min_max_summarised(&t, &y, (&none, front), a..b, columns, &mut want);
                min_max_summarised(&t, &y, (&summary, front), a..b, columns, &mut got);
                let what = format!("round {round}, {a}..{b}, {columns} columns");
                let same = want.len() == got.len()
                    && want
                        .iter()
                        .zip(&got)
                        .all(|(w, g)| w[0] == g[0] && w[1].to_bits() == g[1].to_bits());
                assert!(same, "{what}");
                assert!(got.len() <= 2 * columns.max(2), "{what}: {}", got.len());
                assert!(got.windows(2).all(|w| w[0][0] < w[1][0]), "{what}");
                if lo.is_finite() {
                    assert!(
                        got.iter().any(|p| p[1] == lo) && got.iter().any(|p| p[1] == hi),
                        "{what}"
                    );
                }
            }
        }
        assert!(summary.chunks.len() <= capacity / CHUNK + 1);
    }
}

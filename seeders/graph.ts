/**
 * The random shapes of a bulk world: a seeded generator, Zipf (power-law) picks, heavy-tailed
 * degrees that add up to an exact total, and distinct picks. Users and tweets are indices
 * here (0..n-1); the loader maps them to row ids.
 */

/** A small seeded generator (mulberry32): the same seed draws the same world. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform index in 0..n-1. */
export const uniformIndex = (random: () => number, n: number): number =>
  Math.min(n - 1, Math.floor(random() * n));

/** A random order of 0..n-1 (Fisher-Yates). */
export function permutation(random: () => number, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    const j = uniformIndex(random, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Picks ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent, mapped
 * through `order` so that rank 0 (the most picked) is a random item rather than item 0.
 */
export function zipfPicker(
  random: () => number,
  order: Int32Array,
  exponent: number,
): () => number {
  const n = order.length;
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank += 1) {
    total += 1 / Math.pow(rank + 1, exponent);
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return order[low];
  };
}

/** Log-normal weights (one per item): most small, a few large. */
export function logNormalWeights(random: () => number, n: number, sigma: number): Float64Array {
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    // Box-Muller; 1 - random() keeps the logarithm away from zero.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    weights[i] = Math.exp(sigma * normal);
  }
  return weights;
}

/**
 * Splits `total` into whole shares proportional to `weights`, none above `cap`, that add up to
 * `total` exactly (throws when `total` exceeds cap × items).
 */
export function splitTotal(total: number, weights: Float64Array, cap: number): Int32Array {
  const n = weights.length;
  if (total > cap * n) throw new Error(`cannot split ${total} into ${n} shares of ${cap} at most`);
  const shares = new Int32Array(n);
  let left = total;
  // Each round hands out what is left in proportion among the shares still below the cap.
  while (left > 0) {
    let weightSum = 0;
    for (let i = 0; i < n; i += 1) if (shares[i] < cap) weightSum += weights[i];
    const handed = left;
    for (let i = 0; i < n && left > 0; i += 1) {
      if (shares[i] >= cap) continue;
      const add = Math.min(cap - shares[i], Math.floor((handed * weights[i]) / weightSum), left);
      shares[i] += add;
      left -= add;
    }
    if (left === handed) {
      // Rounding left a remainder smaller than the number of open shares: one each.
      for (let i = 0; i < n && left > 0; i += 1) {
        if (shares[i] < cap) {
          shares[i] += 1;
          left -= 1;
        }
      }
    }
  }
  return shares;
}

/**
 * `count` distinct items from `pick`, never `exclude`. Heavy-tailed pickers keep landing on
 * the same head, so after many misses the rest is taken uniformly from 0..n-1.
 */
export function distinctPicks(
  count: number,
  pick: () => number,
  n: number,
  random: () => number,
  exclude = -1,
): number[] {
  const chosen = new Set<number>();
  let misses = 0;
  while (chosen.size < count) {
    const item = misses < 20 * count + 100 ? pick() : uniformIndex(random, n);
    if (item === exclude || chosen.has(item)) misses += 1;
    else chosen.add(item);
  }
  return [...chosen];
}

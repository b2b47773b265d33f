/**
 * Wilson score interval for a binomial proportion (95% by default). Unlike the normal approximation it
 * stays inside [0, 1] and is meaningful for the small repeat counts SIM cases use (n = 3, 5, 10).
 */
export function wilsonInterval(successes: number, trials: number, z = 1.959963984540054): [number, number] {
  if (trials <= 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return [round4(Math.max(0, centre - half)), round4(Math.min(1, centre + half))];
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

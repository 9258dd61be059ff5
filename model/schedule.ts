// Learning-rate multiplier s(t): linear warm-up then cosine decay to zero (recipe §7).

/** s(step) ∈ [0, 1]: step/warmup during warm-up, then ½(1 + cos(π·progress)) until totalSteps. */
export function warmupCosine(step: number, warmupSteps: number, totalSteps: number): number {
  if (warmupSteps > 0 && step < warmupSteps) return (step + 1) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - warmupSteps) / span));
  return 0.5 * (1 + Math.cos(Math.PI * progress));
}

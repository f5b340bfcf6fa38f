// Coalesces redraw requests: however often data arrive (the worker posts many updates a second), a
// view draws at most once per animation frame.
export function frameScheduler(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

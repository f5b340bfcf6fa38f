// Gives the event loop a turn (rendering, input, messages) between chunks of training.
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

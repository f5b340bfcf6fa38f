// Gives the event loop a turn (rendering, input, messages) between chunks of training.
//
// Not setTimeout(0): browsers clamp nested timeouts to 4 ms, which would cap a fitAsync of short
// chunks at 250 chunks a second. A MessageChannel message is a macrotask with no clamp (input and
// rendering still get their turn); Node has setImmediate for the same.
type Resolve = () => void;

let channel: MessageChannel | undefined;
const waiting: Resolve[] = [];

export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof setImmediate === 'function') {
      setImmediate(resolve);
      return;
    }
    if (typeof MessageChannel === 'function') {
      if (channel === undefined) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => waiting.shift()?.();
      }
      waiting.push(resolve);
      channel.port2.postMessage(null);
      return;
    }
    setTimeout(resolve, 0);
  });
}

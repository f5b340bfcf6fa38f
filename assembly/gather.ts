// Gathering shuffled rows (mirrors gather_rows in src/engine/ts/train.ts): copies only, no arithmetic.

/** Copies `rows` rows of `width` f64, in the order perm[from…], from `src` into `dst`. */
export function gather_rows(src: usize, dst: usize, perm: usize, from: i32, rows: i32, width: i32): void {
  const rowBytes = <usize>width << 3;
  for (let r = 0; r < rows; r++) {
    const row = <usize>load<u32>(perm + (<usize>(from + r) << 2));
    memory.copy(dst + <usize>r * rowBytes, src + row * rowBytes, rowBytes);
  }
}
